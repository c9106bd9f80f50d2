#!/usr/bin/env bash
# tests/integration/mock_keepalive_test.sh — idle keep-alive connections: by default the mock keeps them
# well past h2o's own 10 s (a gateway's pooled connection survives a quiet phase), and
# --keepalive-timeout shortens it. Uses one raw HTTP/1.1 connection per check (python3 sockets).
source "$(dirname "$0")/mock_lib.sh"

# reuse_after URL SECONDS: one request, SECONDS idle, a second request on the same connection.
# Prints "reused" or "closed".
reuse_after() {
    python3 - "$1" "$2" <<'EOF'
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
EOF
}

start_mock "
mock:
  threads: 1
  deployments:
    - name: a
"
# Idle past h2o's own 10 s (a sleep, not a deadline: it needs no sanitizer scaling)
IDLE=11
expect_eq "$(reuse_after "$(url_of a)" "$IDLE")" "reused" "connection idle ${IDLE}s with the default keepalive_timeout"
stop_mock
pass "default keep-alive outlives h2o's 10 s"

start_mock "
mock:
  threads: 1
  keepalive_timeout: 500ms
  deployments:
    - name: a
"
expect_eq "$(reuse_after "$(url_of a)" 0.1)" "reused" "connection idle 0.1s with keepalive_timeout 500ms"
expect_eq "$(reuse_after "$(url_of a)" "$(python3 -c "print(0.5 + 1.5 * $SCALE)")")" "closed" \
    "connection idle past keepalive_timeout 500ms"
stop_mock
pass "keepalive_timeout closes idle connections"
