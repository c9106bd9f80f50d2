#!/usr/bin/env bash
# fault-proxy's toxics measured at the socket (fp_toxics.py) through a real fault-proxy in front of a simple
# upstream: latency and jitter, bandwidth, slow_close, timeout (black hole and close), reset_peer (RST vs
# FIN), slicer, limit_data, down, stall, toxicity, backpressure; the same seed gives the same connections the
# same toxics after a restart.
ITEST_NAME=fault_proxy_toxics
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fp_lib.sh"

start_upstream
config="seed: 42
proxies:
  - {name: up, listen: 127.0.0.1:0, upstream: \"127.0.0.1:$UPSTREAM_PORT\"}"
start_fproxy "$config"
port=$(proxy_port up)
[ -n "$port" ] || fail "no port for proxy up in: $(cat "$TMP/fp.out")"
timeout 300 python3 "$HERE/fp_toxics.py" "$FP_API" "$port" "$SCALE" | tee "$TMP/run1.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "a toxic check failed"
stop_fproxy

# Seeded: a fresh process with the same seed and the same connection order gives the same connections the
# toxic (the first run above made other connections first, so two fresh runs are compared).
for run in 2 3; do
    start_fproxy "$config"
    port=$(proxy_port up)
    timeout 120 python3 "$HERE/fp_toxics.py" "$FP_API" "$port" "$SCALE" check_toxicity >"$TMP/run$run.txt" ||
        fail "toxicity run $run: $(cat "$TMP/run$run.txt")"
    stop_fproxy
done
expect_eq "$(grep '^pattern' "$TMP/run3.txt")" "$(grep '^pattern' "$TMP/run2.txt")" "toxicity pattern with seed 42"
pass "seed 42 reproduces which connections got the toxic: $(grep '^pattern' "$TMP/run2.txt")"
echo "fault_proxy_toxics: all checks passed"
