#!/usr/bin/env python3
"""tests/integration/fp_resp.py — fault-proxy's Redis-aware mode measured at the socket, with redis-server
behind it.

  fp_resp.py API_URL PROXY_NAME PROXY_PORT SCALE [CHECK...]
Per-command latency (GET slowed, PING not), error replies in pipeline order, a per-command stall, LOADING
for every command, the per-command counters, and no fd or connection left over after many connections.
Lower bounds tight, upper bounds loose (scaled by SCALE). Exits 1 on the first failure; every wait has a
timeout.
"""
import json
import os
import socket
import sys
import time
import urllib.request

API, NAME, PORT, SCALE = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
SLACK = 0.25 * SCALE


def api(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(API + path, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def ok(msg):
    print("ok: " + msg)


def toxic(body):
    status, text = api("POST", "/proxies/%s/toxics" % NAME, body)
    if status != 200:
        fail("adding %s: %d %s" % (body, status, text))
    return json.loads(text)["name"]


def untoxic(name):
    if api("DELETE", "/proxies/%s/toxics/%s" % (NAME, name))[0] != 204:
        fail("removing " + name)


def command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def read_replies(s, n):
    """Reads n simple replies (+, -, :, $ bulk, no aggregates) and returns them as strings."""
    buf, out = b"", []
    while len(out) < n:
        while b"\r\n" not in buf:
            data = s.recv(65536)
            if not data:
                fail("connection closed after %d replies: %r" % (len(out), out))
            buf += data
        line, _, rest = buf.partition(b"\r\n")
        if line[:1] == b"$" and int(line[1:]) >= 0:
            size = int(line[1:])
            while len(rest) < size + 2:
                rest += s.recv(65536)
            out.append(rest[:size].decode())
            buf = rest[size + 2:]
        else:
            out.append(line.decode())
            buf = rest
    return out


def timed(s, payload, n=1):
    t0 = time.monotonic()
    s.sendall(payload)
    replies = read_replies(s, n)
    return time.monotonic() - t0, replies


def connect():
    return socket.create_connection(("127.0.0.1", PORT), timeout=10 * SCALE)


def between(what, v, lo, hi):
    if not (lo <= v <= hi):
        fail("%s: %.4f not in [%.4f, %.4f]" % (what, v, lo, hi))
    ok("%s: %.4f in [%.4f, %.4f]" % (what, v, lo, hi))


def check_passthrough():
    s = connect()
    _, r = timed(s, command("SET", "k", "41") + command("INCRBY", "k", "1") + command("GET", "k") + b"PING\r\n", 4)
    s.close()
    if r != ["+OK", ":42", "42", "+PONG"]:
        fail("passthrough: %r" % r)
    ok("passthrough: SET, INCRBY, GET, inline PING answered in order")


def check_command_latency():
    name = toxic({"type": "latency", "stream": "upstream", "attributes": {"latency": 100, "commands": ["GET", "INCRBY"]}})
    s = connect()
    t_get, r = timed(s, command("GET", "k"))
    t_ping, _ = timed(s, command("PING"))
    t_incr, _ = timed(s, command("INCRBY", "k", "1"))
    s.close()
    untoxic(name)
    between("latency 100ms on GET", t_get, 0.100, 0.100 + SLACK)
    between("latency 100ms on INCRBY", t_incr, 0.100, 0.100 + SLACK)
    between("PING not slowed", t_ping, 0.0, 0.05 * SCALE)
    name = toxic({"type": "latency", "stream": "downstream", "attributes": {"latency": 100, "commands": ["SET"]}})
    s = connect()
    t_set, _ = timed(s, command("SET", "w", "1"))
    t_get, _ = timed(s, command("GET", "w"))
    s.close()
    untoxic(name)
    between("reply latency 100ms on SET (slow writes)", t_set, 0.100, 0.100 + SLACK)
    between("GET not slowed (fast reads)", t_get, 0.0, 0.05 * SCALE)


def check_error_replies():
    name = toxic({"type": "error", "attributes": {"reply": "BUSY", "commands": ["EVALSHA"]}})
    s = connect()
    _, r = timed(s, command("PING") + command("GET", "k") + command("EVALSHA", "abc", "0") + command("PING"), 4)
    s.close()
    untoxic(name)
    if r[0] != "+PONG" or r[2][:6] != "-BUSY " or r[3] != "+PONG" or r[1].startswith("-"):
        fail("BUSY in order: %r" % r)
    ok("pipelined PING, GET, EVALSHA, PING: -BUSY third, replies in order")
    for reply in ("LOADING", "READONLY", "OOM"):
        name = toxic({"type": "error", "attributes": {"reply": reply}})
        s = connect()
        _, r = timed(s, command("PING"))
        s.close()
        untoxic(name)
        if not r[0].startswith("-" + reply + " "):
            fail("%s: %r" % (reply, r))
        ok("-%s for every command" % reply)


def check_command_stall():
    name = toxic({"type": "stall", "stream": "upstream", "attributes": {"duration": 1000, "commands": ["INCRBY"]}})
    t_added = time.monotonic()
    s = connect()
    t_get, _ = timed(s, command("GET", "k"))
    _, r = timed(s, command("INCRBY", "k", "1"))
    after = time.monotonic() - t_added
    t_incr2, _ = timed(s, command("INCRBY", "k", "1"))
    s.close()
    untoxic(name)
    between("stall 1s on INCRBY: answered after", after, 0.95, 1.0 + SLACK)
    between("GET during the INCRBY stall", t_get, 0.0, 0.05 * SCALE)
    between("INCRBY after the window", t_incr2, 0.0, 0.05 * SCALE)


def check_metrics():
    _, text = api("GET", "/metrics")
    text = text.decode()
    for want in ('fault_proxy_resp_commands_total{proxy="%s",command="EVALSHA"}' % NAME,
                 'fault_proxy_resp_injected_errors_total{proxy="%s",command="EVALSHA"} 1' % NAME,
                 'fault_proxy_resp_injected_delay_seconds_total{proxy="%s",command="GET"}' % NAME):
        if want not in text:
            fail("metrics: %s missing" % want)
    ok("per-command counters in /metrics")


def fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def check_no_growth(pid, n):
    before = fds(pid)
    t0 = time.monotonic()
    for i in range(n):
        s = connect()
        s.sendall(command("PING"))
        if read_replies(s, 1) != ["+PONG"]:
            fail("connection %d" % i)
        s.close()
        if time.monotonic() - t0 > 120 * SCALE:
            fail("%d connections took over %d s" % (i, 120 * SCALE))
    deadline = time.monotonic() + 5 * SCALE
    while time.monotonic() < deadline:
        _, text = api("GET", "/metrics")
        if ('fault_proxy_open_connections{proxy="%s"} 0' % NAME) in text.decode() and fds(pid) <= before:
            break
        time.sleep(0.1)
    after = fds(pid)
    if after > before:
        fail("fds: %d before %d connections, %d after" % (before, n, after))
    ok("%d connections: fds %d before, %d after, none open" % (n, before, after))


def main():
    checks = sys.argv[5:] or ["check_passthrough", "check_command_latency", "check_error_replies",
                              "check_command_stall", "check_metrics"]
    for c in checks:
        if c.startswith("check_no_growth"):
            _, pid, n = c.split(":")
            check_no_growth(int(pid), int(n))
        else:
            globals()[c]()


if __name__ == "__main__":
    main()
