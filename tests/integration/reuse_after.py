# tests/integration/reuse_after.py URL SECONDS — one request on a raw HTTP/1.1 connection, SECONDS idle, a
# second request on the same connection; prints "reused" or "closed". Used by the mock_keepalive tests.
import socket, sys, time, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
req = ("POST %s/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s")
body = '{"model":"m","messages":[{"role":"user","content":"x"}]}'
msg = (req % (u.path, len(body), body)).encode()

def exchange(s):
    s.sendall(msg)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(rest) < length:
        chunk = s.recv(65536)
        if not chunk:
            return False
        rest += chunk
    return head.startswith(b"HTTP/1.1 200")

s = socket.create_connection((u.hostname, u.port), timeout=5)
assert exchange(s), "first request failed"
time.sleep(float(sys.argv[2]))
try:
    print("reused" if exchange(s) else "closed")
except (ConnectionResetError, BrokenPipeError):
    print("closed")
