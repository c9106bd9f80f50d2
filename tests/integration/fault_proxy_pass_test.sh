#!/usr/bin/env bash
# fault-proxy's passthrough path (connections no toxic hits move on raw sockets): byte-exact large streams
# both ways, toxics coming and going on an open stream, half close and reset both ways, a stopped reader
# bounded (fp_pass.py against fp_upstream.py).
ITEST_NAME=fault_proxy_pass
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fp_lib.sh"

start_upstream
start_fproxy "proxies:
  - {name: up, listen: 127.0.0.1:0, upstream: \"127.0.0.1:$UPSTREAM_PORT\"}"
port=$(proxy_port up)
[ -n "$port" ] || fail "no port for proxy up in: $(cat "$TMP/fp.out")"
timeout 300 python3 "$HERE/fp_pass.py" "$FP_API" "$port" "$FP_PID" "$SCALE" || fail "a passthrough check failed"
stop_fproxy
echo "fault_proxy_pass: all checks passed"
