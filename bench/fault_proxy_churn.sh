#!/usr/bin/env bash
# fault-proxy over many short connections: --connections (100,000 by default) connections one after another
# through each of three proxies in front of one redis-server, each sending PING and reading +PONG before it
# closes: `tcp` (no toxics: the raw passthrough path), `toxic` (a 0 ms latency toxic: the toxic path) and
# `resp` (protocol: resp, parsing every command). For each: the proxy's open descriptors and RSS after a
# warm-up of 1,000 connections and after all of them (once the proxy reports no connection open), and the
# connections per second. Target (issue 11): no descriptor and no memory growth (RSS within 1 MiB of the
# warm level). All traffic on 127.0.0.1; fault-proxy on CPU 1, redis-server and the client on CPU 0.
#   bench/fault_proxy_churn.sh [--connections 100000]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
connections=100000
while [[ $# -gt 0 ]]; do
    case "$1" in
    --connections) connections=$2; shift 2 ;;
    *) echo "usage: $0 [--connections 100000]" >&2; exit 2 ;;
    esac
done
[[ $connections =~ ^[0-9]+$ && $connections -ge 2000 && $connections -le 10000000 ]] ||
    { echo "--connections: 2000 to 10000000" >&2; exit 2; }
bench_setup

redis_port=$(sr_free_port)
taskset -c 0 redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
    --maxclients 10000 >"$work/redis.log" 2>&1 &
sr_track $!
sr_wait_port "$redis_port" 10

api_port=$(sr_free_port)
cat >"$work/fp.yaml" <<EOF
proxies:
  - {name: tcp, listen: "127.0.0.1:0", upstream: "127.0.0.1:$redis_port"}
  - {name: toxic, listen: "127.0.0.1:0", upstream: "127.0.0.1:$redis_port",
     toxics: [{type: latency, stream: downstream, attributes: {latency: 0}}]}
  - {name: resp, listen: "127.0.0.1:0", upstream: "127.0.0.1:$redis_port", protocol: resp}
EOF
taskset -c 1 "$build/faults/fault-proxy/fault-proxy" --config "$work/fp.yaml" --api "127.0.0.1:$api_port" \
    --log-level info >"$work/fp.log" 2>&1 &
fp_pid=$!
sr_track $fp_pid
sr_wait_port "$api_port" 10

echo "fault_proxy_churn: $connections connections per proxy (PING, +PONG, close), fault-proxy on CPU 1;" \
    "$(date -u '+%F %H:%M') UTC"
for name in tcp toxic resp; do
    port=$(sed -n "s/^fault-proxy: proxy $name listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p" "$work/fp.log")
    [[ -n $port ]] || { echo "fault_proxy_churn: proxy $name did not say its port" >&2; exit 1; }
    taskset -c 0 python3 - "$fp_pid" "$port" "$api_port" "$name" "$connections" <<'PY'
import os, socket, sys, time, urllib.request
pid, port, api, name, total = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])

def fds():
    return len(os.listdir(f"/proc/{pid}/fd"))

def rss_kib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

def ping_once():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"PING\r\n")
    got = b""
    while not got.endswith(b"\r\n"):
        chunk = s.recv(64)
        if not chunk:
            break
        got += chunk
    s.close()
    if got != b"+PONG\r\n":
        sys.exit(f"{name}: got {got!r}")

def settle():  # until the proxy has no connection of this proxy open (at most 10 s)
    want = f'fault_proxy_open_connections{{proxy="{name}"}} 0'
    for _ in range(100):
        text = urllib.request.urlopen(f"http://127.0.0.1:{api}/metrics", timeout=10).read().decode()
        if want in text:
            return
        time.sleep(0.1)
    sys.exit(f"{name}: connections still open 10 s after the last one")

for _ in range(1000):
    ping_once()
settle()
fd0, rss0 = fds(), rss_kib()
t0 = time.monotonic()
for i in range(total - 1000):
    ping_once()
    if time.monotonic() - t0 > 1800:
        sys.exit(f"{name}: {i} connections took over 30 minutes")
rate = (total - 1000) / (time.monotonic() - t0)
settle()
fd1, rss1 = fds(), rss_kib()
print(f"{name:6} {rate:8.0f} connections/s  fds {fd0} -> {fd1}  RSS {rss0} -> {rss1} KiB ({rss1 - rss0:+d})  "
      + ("OK" if fd1 <= fd0 and rss1 - rss0 <= 1024 else "GROWTH"))
PY
done
