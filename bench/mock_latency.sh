#!/usr/bin/env bash
# Served latency accuracy: mock-provider (one worker thread) configured with a fixed 50 ms latency, loaded by
# wrk with 1,000 connections. Prints wrk's p50/p99 and p99 - 50 ms (target: within +2 ms).
#   bench/mock_latency.sh [--duration 10s] [--connections 1000] [--delay 50ms]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
duration=10s
conns=1000
delay_ms=50
while [[ $# -gt 0 ]]; do
    case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    --delay) delay_ms=${2%ms}; shift 2 ;;
    *) echo "usage: $0 [--duration 10s] [--connections 1000] [--delay 50ms]" >&2; exit 2 ;;
    esac
done
bench_setup
ulimit -n "$(ulimit -Hn)"

bench_start_mock "$work/mock.log" taskset -c 1 "$build/mock-provider/mock-provider" --threads 1 \
    --listen 127.0.0.1:0 --ttft "${delay_ms}ms" --itl 0ms --output-tokens 16 --log-level warn
cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello!"}]}'
LUA
out=$(taskset -c 0 wrk -t1 -c"$conns" -d"$duration" --latency -s "$work/post.lua" "$MOCK_URL/chat/completions")
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.3f\n", v}'; }
p50=$(echo "$out" | awk '$1=="50%" {print $2}' | to_ms)
p99=$(echo "$out" | awk '$1=="99%" {print $2}' | to_ms)
rps=$(echo "$out" | bench_wrk_rps)
errors=$(echo "$out" | grep -E 'Socket errors|Non-2xx' || true)
echo "mock_latency: configured ${delay_ms}ms, wrk -t1 -c$conns -d$duration, mock --threads 1 on CPU 1, $(date -u +%F)"
printf 'requests/s %.0f  p50 %.3f ms  p99 %.3f ms  p99 - %s ms = %+.3f ms\n' "$rps" "$p50" "$p99" "$delay_ms" \
    "$(awk -v a="$p99" -v b="$delay_ms" 'BEGIN {print a - b}')"
[[ -z "$errors" ]] || echo "wrk: $errors"
# The mock's own share: its timer lateness histogram (planned send -> actual send).
curl -s "${MOCK_URL%/v1}/metrics" | awk -F'[{}" ]+' '/^mock_timer_lateness_seconds_bucket/ {le[$5]=$NF; tot=$NF}
    END {printf "mock timer lateness: <=0.25ms %.2f%%  <=0.5ms %.2f%%  <=1ms %.2f%%  <=2ms %.3f%%  <=5ms %.3f%% of %d sends\n",
        100*le["0.00025"]/tot, 100*le["0.0005"]/tot, 100*le["0.001"]/tot, 100*le["0.002"]/tot, 100*le["0.005"]/tot, tot}'
