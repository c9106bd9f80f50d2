#!/usr/bin/env python3
"""tests/integration/http_echo.py — a local HTTP/1.1 server for soak_http_kind_test: answers every method on
127.0.0.1:PORT and appends one line per request to LOG: "METHOD PATH BODY_BYTES CONTENT_TYPE X_SOAK BODY"
(BODY cut to 200 bytes, newlines escaped). /status/NNN answers NNN; /big answers 2 MiB of JSON; any other path
answers 200 with {"method": ..., "path": ..., "bytes": N}; /odd answers 200 naming its deployment (x-mock-deployment)
with bytes that are not UTF-8, control characters and markup (ODD_DEPLOYMENT). It can stand in for a gateway (`soak run`).
   http_echo.py PORT LOG"""
import http.server
import json
import sys

port, log = int(sys.argv[1]), sys.argv[2]
BIG = b'{"pad": "' + b"x" * (2 << 20) + b'"}'
# Sent as latin-1 by send_header: \xff and \xc3( are not UTF-8, \x01 and \x1b are controls.
ODD_DEPLOYMENT = "d\xff</script><!--]]>\"'\\\x01\x1b\xc3("


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self):
        n = min(int(self.headers.get("content-length", 0) or 0), 1 << 20)
        body = self.rfile.read(n) if n > 0 else b""
        with open(log, "a") as f:
            shown = body[:200].decode("utf-8", "replace").replace("\n", "\\n")
            f.write("%s %s %d %s %s %s\n" % (self.command, self.path, len(body),
                                            self.headers.get("content-type", "-"),
                                            self.headers.get("x-soak", "-"), shown))
        status, out = 200, json.dumps({"method": self.command, "path": self.path, "bytes": len(body)}).encode()
        if self.path.startswith("/status/"):
            status, out = int(self.path[8:11]), b'{"status": "as asked"}'
        elif self.path == "/big":
            out = BIG
        self.send_response(status)
        if self.path == "/odd":
            self.send_header("x-mock-deployment", ODD_DEPLOYMENT)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any

    def log_message(self, *args):
        pass


print("http_echo: listening", flush=True)
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
