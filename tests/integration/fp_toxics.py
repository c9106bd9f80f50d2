#!/usr/bin/env python3
"""tests/integration/fp_toxics.py — each toxic's effect measured at the socket, through a running fault-proxy.

  fp_toxics.py API_URL PROXY_PORT SCALE
The proxy forwards to fp_upstream.py. Each check adds its toxic through the API, measures with plain
sockets on 127.0.0.1 and removes it. Lower bounds are tight (the toxic must act); upper bounds allow for a
loaded machine and scale with SCALE (sanitizer builds). Prints one line per check, exits 1 on the first
failure. Every wait has a timeout.
"""
import json
import socket
import sys
import time
import urllib.request

API, PORT, SCALE = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
SLACK = 0.25 * SCALE  # seconds an upper bound may be late


def api(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(API + path, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
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


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def ok(msg):
    print("ok: " + msg)


def connect(first_line):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10 * SCALE)
    s.sendall(first_line.encode() + b"\n")
    return s


def recv_all(s, limit=1 << 30):
    """Reads until EOF; returns (bytes, seconds until EOF, error)."""
    t0, got = time.monotonic(), 0
    try:
        while got < limit:
            data = s.recv(65536)
            if not data:
                return got, time.monotonic() - t0, None
            got += len(data)
    except OSError as e:
        return got, time.monotonic() - t0, e
    return got, time.monotonic() - t0, None


def echo_rtt(s, payload=b"ping"):
    t0 = time.monotonic()
    s.sendall(payload)
    got = b""
    while len(got) < len(payload):
        data = s.recv(65536)
        if not data:
            fail("echo: connection closed")
        got += data
    return time.monotonic() - t0


def between(what, v, lo, hi):
    if not (lo <= v <= hi):
        fail("%s: %.4f not in [%.4f, %.4f]" % (what, v, lo, hi))
    ok("%s: %.4f in [%.4f, %.4f]" % (what, v, lo, hi))


def check_passthrough():
    s = connect("echo")
    payload = bytes(range(256)) * 4096  # 1 MiB
    s.sendall(payload)
    got = b""
    while len(got) < len(payload):
        data = s.recv(1 << 20)
        if not data:
            break
        got += data
    s.close()
    if got != payload:
        fail("passthrough: %d bytes back, expected %d identical" % (len(got), len(payload)))
    ok("passthrough: 1 MiB echoed intact")


def check_latency():
    for stream in ("downstream", "upstream"):
        name = toxic({"type": "latency", "stream": stream, "attributes": {"latency": 100}})
        s = connect("echo")
        rtts = [echo_rtt(s) for _ in range(5)]
        s.close()
        untoxic(name)
        between("latency 100ms %s: min rtt" % stream, min(rtts), 0.100, 0.100 + SLACK)
    name = toxic({"type": "latency", "attributes": {"latency": 60, "jitter": 30}})
    s = connect("echo")
    rtts = [echo_rtt(s) for _ in range(20)]
    s.close()
    untoxic(name)
    between("latency 60ms jitter 30ms: min", min(rtts), 0.030, 0.090)
    between("latency 60ms jitter 30ms: max", max(rtts), 0.060, 0.090 + SLACK)
    if max(rtts) - min(rtts) < 0.010:
        fail("jitter: rtts spread only %.4f s" % (max(rtts) - min(rtts)))


def check_bandwidth():
    name = toxic({"type": "bandwidth", "attributes": {"rate": 1000}})  # 1 MB/s
    s = connect("source 2000000")
    got, secs, err = recv_all(s)
    s.close()
    untoxic(name)
    if got != 2000000 or err:
        fail("bandwidth: %d bytes, error %s" % (got, err))
    between("bandwidth 1000 KB/s, 2 MB: seconds", secs, 2.0 * 0.95, 2.0 * 1.05 + SLACK)


def check_slow_close():
    name = toxic({"type": "slow_close", "attributes": {"delay": 300}})
    s = connect("source 10")
    got, secs, err = recv_all(s)
    s.close()
    untoxic(name)
    if got != 10 or err:
        fail("slow_close: %d bytes, error %s" % (got, err))
    between("slow_close 300ms: EOF after", secs, 0.300, 0.300 + SLACK)


def check_timeout():
    name = toxic({"type": "timeout", "attributes": {"timeout": 0}})
    s = connect("echo")
    s.sendall(b"anyone?")
    s.settimeout(0.5)
    try:
        data = s.recv(100)
        fail("timeout 0: got %r, expected silence" % data)
    except socket.timeout:
        pass
    s.close()
    untoxic(name)
    ok("timeout 0: black hole (no data, connection kept open)")
    name = toxic({"type": "timeout", "attributes": {"timeout": 300}})
    t0 = time.monotonic()
    s = connect("echo")
    s.sendall(b"anyone?")
    got, _, err = recv_all(s)
    secs = time.monotonic() - t0
    s.close()
    untoxic(name)
    if got != 0:
        fail("timeout 300: %d bytes came through" % got)
    between("timeout 300ms: closed after", secs, 0.300, 0.300 + SLACK)


def check_reset_vs_fin():
    s = connect("source 10")
    got, _, err = recv_all(s)
    s.close()
    if got != 10 or err is not None:
        fail("FIN: expected 10 bytes and a clean EOF, got %d, %s" % (got, err))
    ok("no toxic: 10 bytes then FIN (clean EOF)")
    name = toxic({"type": "reset_peer", "stream": "upstream", "attributes": {"timeout": 200}})
    t0 = time.monotonic()
    s = connect("echo")
    s.sendall(b"x")
    got, _, err = recv_all(s)
    secs = time.monotonic() - t0
    s.close()
    untoxic(name)
    if not isinstance(err, ConnectionResetError):
        fail("reset_peer: expected ECONNRESET, got %d bytes and %r" % (got, err))
    between("reset_peer 200ms: RST after", secs, 0.200, 0.200 + SLACK)


def check_slicer():
    name = toxic({"type": "slicer", "attributes": {"average_size": 100, "size_variation": 0, "delay": 2000}})
    s = connect("source 10000")
    got, secs, err = recv_all(s)
    s.close()
    untoxic(name)
    if got != 10000:
        fail("slicer: %d bytes" % got)
    between("slicer 100 B every 2ms, 10 kB: seconds", secs, 0.100 * 0.9, 0.200 + 4 * SLACK)


def check_limit_data():
    name = toxic({"type": "limit_data", "attributes": {"bytes": 12345}})
    s = connect("source 1000000")
    got, _, err = recv_all(s)
    s.close()
    untoxic(name)
    if got != 12345:
        fail("limit_data 12345: received %d bytes (%s)" % (got, err))
    ok("limit_data: exactly 12345 bytes, then closed")


def check_down():
    name = toxic({"type": "down"})
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    got, secs, err = recv_all(s)
    s.close()
    untoxic(name)
    if got != 0 or secs > 1 * SCALE:
        fail("down: %d bytes after %.3f s" % (got, secs))
    ok("down: connection closed at once")


def check_stall():
    name = toxic({"type": "stall", "attributes": {"duration": 1000}})
    t_added = time.monotonic()
    s = connect("echo")
    rtt = echo_rtt(s)
    after = time.monotonic() - t_added
    rtt2 = echo_rtt(s)
    s.close()
    untoxic(name)
    between("stall 1s: first answer after the toxic was added", after, 0.95, 1.0 + SLACK)
    between("stall 1s: answers after the window", rtt2, 0.0, 0.05 * SCALE)
    if rtt < 0.5:
        fail("stall: first rtt %.3f" % rtt)


def check_toxicity():
    name = toxic({"type": "latency", "toxicity": 0.5, "attributes": {"latency": 150}})
    slow = 0
    pattern = ""
    for _ in range(20):
        s = connect("echo")
        r = echo_rtt(s)
        s.close()
        slow += r >= 0.150
        pattern += "1" if r >= 0.150 else "0"
    untoxic(name)
    if not 3 <= slow <= 17:
        fail("toxicity 0.5: %d of 20 connections slowed" % slow)
    ok("toxicity 0.5: %d of 20 connections slowed (%s)" % (slow, pattern))
    print("pattern " + pattern)


def downstream_bytes():
    _, text = api("GET", "/metrics")
    line = [l for l in text.decode().splitlines() if l.startswith('fault_proxy_bytes_total{proxy="up",direction="downstream"}')]
    return int(line[0].split()[-1])


def check_backpressure():
    base = downstream_bytes()
    total = 200000000
    s = connect("source %d" % total)
    time.sleep(1.0 * SCALE)
    passed = downstream_bytes() - base
    if passed > 64 << 20:
        fail("backpressure: %d bytes passed to a client that reads nothing" % passed)
    ok("backpressure: %d bytes queued for a client that reads nothing (of 200 MB)" % passed)
    # The proxy reads again once the client does: every byte arrives.
    got, secs, err = recv_all(s)
    s.close()
    if got != total or err:
        fail("backpressure: %d of %d bytes after the client started reading (%s)" % (got, total, err))
    ok("backpressure released: all %d bytes in %.2f s" % (total, secs))
    # The same with a toxic on the way (the held queue's limit instead of the socket's).
    name = toxic({"type": "latency", "attributes": {"latency": 1}})
    s = connect("source %d" % (total // 4))
    time.sleep(0.5 * SCALE)
    got, secs, err = recv_all(s)
    s.close()
    untoxic(name)
    if got != total // 4 or err:
        fail("backpressure with a toxic: %d of %d bytes (%s)" % (got, total // 4, err))
    ok("backpressure with a toxic released: all %d bytes in %.2f s" % (total // 4, secs))


def main():
    checks = [check_passthrough, check_latency, check_bandwidth, check_slow_close, check_timeout,
              check_reset_vs_fin, check_slicer, check_limit_data, check_down, check_stall, check_toxicity,
              check_backpressure]
    only = sys.argv[4:]
    for c in checks:
        if not only or c.__name__ in only:
            c()


if __name__ == "__main__":
    main()
