#!/usr/bin/env bash
# fault-proxy in front of a real redis-server: protocol resp with per-command latency, error replies in
# pipeline order, per-command stall and counters (fp_resp.py); redis-cli and redis-benchmark -P 16 through
# the proxy; a tcp-mode proxy with a toxic in front of Redis; no fd growth over many connections.
ITEST_NAME=fault_proxy_redis
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fp_lib.sh"
for tool in redis-server redis-cli redis-benchmark; do
    command -v "$tool" >/dev/null || fail "$tool is missing (ci/install-deps.sh --test installs redis-server, redis-tools)"
done

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >"$TMP/redis.log" 2>&1 &
sr_track $!
sr_wait_port "$redis_port" 10 || fail "redis-server did not start: $(tail -5 "$TMP/redis.log")"

start_fproxy "proxies:
  - {name: redis, listen: 127.0.0.1:0, upstream: \"127.0.0.1:$redis_port\", protocol: resp}
  - {name: plain, listen: 127.0.0.1:0, upstream: \"127.0.0.1:$redis_port\",
     toxics: [{type: latency, stream: upstream, attributes: {latency: 50}}]}"
rport=$(proxy_port redis)
pport=$(proxy_port plain)

expect_eq "$(timeout 10 redis-cli -p "$rport" ping)" PONG "redis-cli ping through the resp proxy"
expect_eq "$(timeout 10 redis-cli -p "$rport" set a 1)" OK "redis-cli set"
expect_eq "$(timeout 10 redis-cli -p "$pport" get a)" 1 "redis-cli get through the tcp proxy"
timeout 300 python3 "$HERE/fp_resp.py" "$FP_API" redis "$rport" "$SCALE" || fail "RESP checks"

# redis-benchmark pipelined through the proxy: every request answered.
out=$(timeout 120 redis-benchmark -p "$rport" -n 20000 -P 16 -c 20 -t set,get -q 2>&1 | tr '\r' '\n' | grep -E '^(SET|GET): [0-9.]+ requests per second' || true)
[ "$(wc -l <<<"$out")" -eq 2 ] || fail "redis-benchmark -P 16 through the proxy: $out"
pass "redis-benchmark -P 16 through the proxy: $(tr '\n' ';' <<<"$out")"

n=$((5000 / SCALE))
timeout 600 python3 "$HERE/fp_resp.py" "$FP_API" redis "$rport" "$SCALE" "check_no_growth:$FP_PID:$n" ||
    fail "connection churn"
stop_fproxy
echo "fault_proxy_redis: all checks passed"
