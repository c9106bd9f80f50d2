#!/usr/bin/env python3
"""tests/integration/fake_gateway.py — a stand-in gateway for soak_run_test: serves 127.0.0.1:PORT and
forwards every POST to the api_bases of a LiteLLM config (the one `soak run` has mock-provider write for
`gateway.config: litellm`), in turn, passing the answer's status, body and x-mock-* headers back.
   fake_gateway.py PORT LITELLM_CONFIG"""
import http.server
import itertools
import re
import sys
import urllib.error
import urllib.request

port, config = int(sys.argv[1]), sys.argv[2]
bases = re.findall(r"api_base:\s*\"?(http://127\.0\.0\.1:\d+[^\s\"]*)", open(config).read())
if not bases:
    sys.exit("fake_gateway: no api_base on 127.0.0.1 in " + config)
turn = itertools.cycle(bases)
print("fake_gateway: forwarding to", " ".join(bases), flush=True)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(min(int(self.headers.get("content-length", 0)), 1 << 20))
        path = self.path[3:] if self.path.startswith("/v1") else self.path
        req = urllib.request.Request(next(turn) + path, data=body, method="POST",
                                     headers={"content-type": "application/json",
                                              "authorization": self.headers.get("authorization", "")})
        try:
            res = urllib.request.urlopen(req, timeout=30)
        except urllib.error.HTTPError as e:
            res = e
        data = res.read()
        self.send_response(res.status if hasattr(res, "status") else res.code)
        for k, v in res.headers.items():
            if k.lower().startswith("x-mock-") or k.lower() == "content-type":
                self.send_header(k, v)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
