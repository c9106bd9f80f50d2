#!/usr/bin/env python3
"""tests/integration/fp_pass.py — fault-proxy's passthrough path (no toxic: raw sockets), through a running
fault-proxy in front of fp_upstream.py.

  fp_pass.py API_URL PROXY_PORT PROXY_PID SCALE [CHECK...]
Checks: a large stream both ways arrives byte-exact (SHA-256); toxics added and removed while a stream
flows take the connection off the path and back without losing or reordering a byte; a toxic added to an
open connection acts on it; half closes and resets go through both ways; a reader that stops reading does
not make the proxy hold more than its bound (its own gauge and its RSS). Every wait has a timeout that
scales with SCALE. Prints one line per check, exits 1 on the first failure.
"""
import hashlib
import json
import random
import socket
import struct
import sys
import threading
import time
import urllib.request

API, PORT, PID, SCALE = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
PASS_BUF = 64 << 10  # FP_PASS_BUF
STREAM = 32 << 20    # bytes of the large streams


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def ok(msg):
    print("ok: " + msg)


def api(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(API + path, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10 * SCALE) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def toxic(body):
    status, text = api("POST", "/proxies/up/toxics", body)
    if status != 200:
        fail("adding %s: %d %s" % (body, status, text))
    return json.loads(text)["name"]


def untoxic(name):
    status, _ = api("DELETE", "/proxies/up/toxics/" + name)
    if status != 204:
        fail("removing %s: %d" % (name, status))


def metric(name):
    _, text = api("GET", "/metrics")
    for line in text.decode().splitlines():
        if line.startswith(name + '{proxy="up"'):
            return int(float(line.split()[-1]))
    fail("no %s in /metrics" % name)


def wait_pass(n):
    """Waits until n connections are on the passthrough path."""
    deadline = time.monotonic() + 5 * SCALE
    while time.monotonic() < deadline:
        if metric("fault_proxy_passthrough_connections") == n:
            return
        time.sleep(0.02)
    fail("passthrough connections: expected %d, got %d" % (n, metric("fault_proxy_passthrough_connections")))


def connect(first_line):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=20 * SCALE)
    s.sendall(first_line.encode() + b"\n")
    return s


def recv_exact(s, n):
    got = b""
    while len(got) < n:
        data = s.recv(n - len(got))
        if not data:
            break
        got += data
    return got


def echo_rtt(s):
    t0 = time.monotonic()
    s.sendall(b"ping")
    if recv_exact(s, 4) != b"ping":
        fail("echo: wrong or missing answer")
    return time.monotonic() - t0


def stream_echo(s, data, pace=0.0, midway=None):
    """Sends data through an echo connection while reading it back (pace seconds between MiBs), then
    half-closes; returns (SHA-256 of what came back, bytes, clean EOF). midway() is called by the sender once
    half the data is sent: the connection is surely open then (its FIN is not sent), while by the time half has
    come back the rest may all have passed the proxy into socket buffers."""
    def send():
        view = memoryview(data)
        for i in range(0, len(data), 1 << 20):
            if midway is not None and i == (len(data) // 2) // (1 << 20) * (1 << 20):
                midway()
            s.sendall(view[i:i + (1 << 20)])
            time.sleep(pace)
        s.shutdown(socket.SHUT_WR)
    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    h, got, eof = hashlib.sha256(), 0, False
    while True:
        chunk = s.recv(1 << 20)
        if not chunk:
            eof = True
            break
        h.update(chunk)
        got += len(chunk)
    sender.join(10 * SCALE)
    return h.hexdigest(), got, eof


def check_bulk():
    data = random.Random(11).randbytes(STREAM)
    s = connect("echo")
    wait_pass(1)
    seen = []
    digest, got, eof = stream_echo(s, data, midway=lambda: seen.append(metric("fault_proxy_passthrough_connections")))
    s.close()
    if digest != hashlib.sha256(data).hexdigest() or got != len(data):
        fail("bulk: %d of %d bytes came back, digest %s" % (got, len(data), "differs" if got == len(data) else "-"))
    if not eof:
        fail("bulk: no clean EOF after the half close")
    if seen != [1]:
        fail("bulk: the stream was not on the passthrough path halfway (%s)" % seen)
    ok("bulk: %d MiB each way through the passthrough path, byte-exact (SHA-256), half close passed on" %
       (STREAM >> 20))


def check_switching():
    """Toxics come and go while a stream flows: every byte arrives once, in order."""
    data = random.Random(12).randbytes(STREAM)
    s = connect("echo")
    wait_pass(1)
    stop, flips, states = threading.Event(), [0], set()

    def flip():
        while not stop.is_set() and flips[0] < 200:
            stream = "upstream" if flips[0] % 2 else "downstream"
            name = toxic({"type": "latency", "stream": stream, "attributes": {"latency": 1}})
            states.add(metric("fault_proxy_passthrough_connections"))
            time.sleep(0.01)
            untoxic(name)
            time.sleep(0.01)
            states.add(metric("fault_proxy_passthrough_connections"))
            flips[0] += 1
    flipper = threading.Thread(target=flip, daemon=True)
    flipper.start()
    digest, got, eof = stream_echo(s, data, pace=0.05)
    stop.set()
    flipper.join(10 * SCALE)
    s.close()
    if digest != hashlib.sha256(data).hexdigest() or got != len(data) or not eof:
        fail("switching: %d of %d bytes came back (digest %s, eof %s) over %d toxic flips" %
             (got, len(data), "same" if digest == hashlib.sha256(data).hexdigest() else "differs", eof, flips[0]))
    if flips[0] < 5 or 0 not in states or 1 not in states:
        fail("switching: only %d toxic flips during the stream (states %s)" % (flips[0], sorted(states)))
    ok("switching: %d MiB each way byte-exact while a toxic was added and removed %d times" %
       (STREAM >> 20, flips[0]))


def check_toxic_on_open():
    s = connect("echo")
    wait_pass(1)
    fast = echo_rtt(s)
    name = toxic({"type": "latency", "attributes": {"latency": 300}})
    if metric("fault_proxy_passthrough_connections") != 0:
        fail("toxic on an open connection: it stayed on the passthrough path")
    slow = echo_rtt(s)
    untoxic(name)
    wait_pass(1)
    again = echo_rtt(s)
    s.close()
    if slow < 0.300:
        fail("toxic on an open connection: echo took %.3f s with a 300 ms latency toxic" % slow)
    if again >= 0.300:
        fail("toxic removed: echo still took %.3f s" % again)
    ok("toxic on an open connection: echo %.1f ms, %.1f ms with latency 300 ms, %.1f ms once removed" %
       (fast * 1e3, slow * 1e3, again * 1e3))


def check_half_close():
    # client -> upstream FIN: the sink answers its count after the client's FIN, and the answer comes back.
    s = connect("sink")
    wait_pass(1)
    s.sendall(b"y" * (1 << 20))
    s.shutdown(socket.SHUT_WR)
    answer = recv_exact(s, 64)
    s.close()
    if answer != b"%d\n" % (1 << 20):
        fail("half close client->upstream: the sink answered %r" % answer)
    # upstream -> client FIN while the client still sends: the client reads a clean EOF.
    s = connect("watch")
    wait_pass(1)
    s.sendall(b"z" * 1000)
    s.shutdown(socket.SHUT_WR)
    if s.recv(1) != b"":
        fail("half close: expected EOF after the upstream saw the client's FIN")
    s.close()
    ok("half close: FIN passed on both ways on the passthrough path (sink answered after the client's FIN)")


def report():
    deadline = time.monotonic() + 5 * SCALE
    while time.monotonic() < deadline:
        s = connect("report")
        line = recv_exact(s, 64).decode().strip()
        s.close()
        if not line.startswith("open"):
            return line
        time.sleep(0.02)
    return line


def check_reset():
    s = connect("reset")
    wait_pass(1)
    s.sendall(b"x")
    try:
        data = s.recv(1)
        err = None
    except ConnectionResetError as e:
        data, err = b"", e
    s.close()
    if err is None:
        fail("reset upstream->client: got %r instead of ECONNRESET" % data)
    s = connect("watch")
    wait_pass(1)
    s.sendall(b"w" * 1000)
    time.sleep(0.1 * SCALE)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    seen = report()
    if not seen.startswith("reset"):
        fail("reset client->upstream: the upstream saw %r" % seen)
    ok("reset: RST passed on both ways on the passthrough path (upstream saw %s)" % seen)


def rss_kib():
    with open("/proc/%d/status" % PID) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    fail("no VmRSS for pid %d" % PID)


def check_slow_reader():
    total = 200000000
    before = rss_kib()
    s = connect("source %d" % total)
    wait_pass(1)
    peak_buf, peak_rss = 0, 0
    t_end = time.monotonic() + 1.5
    while time.monotonic() < t_end:
        peak_buf = max(peak_buf, metric("fault_proxy_buffered_bytes"))
        peak_rss = max(peak_rss, rss_kib())
        time.sleep(0.05)
    if metric("fault_proxy_passthrough_connections") != 1:
        fail("slow reader: the connection left the passthrough path")
    if peak_buf > 2 * PASS_BUF:
        fail("slow reader: the proxy held %d bytes (bound %d)" % (peak_buf, 2 * PASS_BUF))
    if peak_rss - before > 16 << 10:
        fail("slow reader: RSS grew by %d KiB while the client read nothing" % (peak_rss - before))
    got = 0
    while True:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        got += len(chunk)
    s.close()
    if got != total:
        fail("slow reader: %d of %d bytes once the client read" % (got, total))
    ok("slow reader: at most %d bytes held and RSS +%d KiB while stopped; all %d bytes after" %
       (peak_buf, peak_rss - before, total))


def main():
    checks = [check_bulk, check_switching, check_toxic_on_open, check_half_close, check_reset, check_slow_reader]
    only = sys.argv[5:]
    for c in checks:
        if not only or c.__name__ in only:
            c()
            wait_pass(0)


if __name__ == "__main__":
    main()
