#!/usr/bin/env python3
"""tests/integration/hook_receiver.py — a webhook receiver for the tests: serves 127.0.0.1:PORT, writes the
body of each POST to OUTFILE (the last one wins) and answers 200.   hook_receiver.py PORT OUTFILE"""
import http.server
import sys

port, out = int(sys.argv[1]), sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(min(int(self.headers.get("content-length", 0)), 1 << 20))
        with open(out, "wb") as f:
            f.write(body)
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


print("hook_receiver: listening", flush=True)
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
