#!/usr/bin/env bash
# Concurrent streams on one mock worker thread: N users (default 10,000) each streaming chat completions at
# 20 tokens/s (itl 50 ms) back to back, driven by soak. Prints the mock's timer lateness (planned -> actual
# send of every token: the gap error is bounded by it), its served ITL and peak RSS, and the client's view
# (one soak thread cannot parse 200K events/s, so its gap figures show the client saturating, not the mock).
#   bench/mock_streams.sh [--streams 10000] [--duration 30s]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
streams=10000
duration=30s
while [[ $# -gt 0 ]]; do
    case "$1" in
    --streams) streams=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) echo "usage: $0 [--streams 10000] [--duration 30s]" >&2; exit 2 ;;
    esac
done
bench_setup
ulimit -n "$(ulimit -Hn)"

bench_start_mock "$work/mock.log" taskset -c 1 "$build/mock-provider/mock-provider" --threads 1 \
    --listen 127.0.0.1:0 --ttft 50ms --itl 50ms --output-tokens 100 --log-level warn
peak=0
(
    while kill -0 "$MOCK_PID" 2>/dev/null; do
        bench_rss_kb "$MOCK_PID"
        sleep 1
    done
) >"$work/rss" &
sr_track "$!"

taskset -c 0 "$build/harness/soak" load --url "$MOCK_URL" --api openai.chat --stream --model gpt-4o-mini \
    --users "$streams" --think 0s --spawn 2000/s --duration "$duration" --threads 1 --max-inflight $((streams + 100)) \
    --json "$work/summary.json" --quiet >/dev/null || true
peak=$(sort -n "$work/rss" | tail -n 1)
python3 - "$work/summary.json" "$streams" "$peak" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
itl = s.get("itl_ms", {})
print(f"mock_streams: {sys.argv[2]} concurrent streams, itl 50ms, mock --threads 1 on CPU 1, soak on CPU 0")
print(f"requests ok {s['requests']['ok']} failed {s['requests']['failed']}  itl p50 {itl.get('p50')} ms  "
      f"p99 {itl.get('p99')} ms  gap error p99 {itl.get('p99', 0) - 50:+.3f} ms  mock peak RSS {int(sys.argv[3]) / 1024:.1f} MB")
PY
# The mock's own timing error per token: planned send time of each step -> actual send. The gap error of a
# token is the difference of two consecutive lateness values, so it is bounded by these figures.
curl -s "${MOCK_URL%/v1}/metrics" >"$work/metrics"
awk -F'[{}" ]+' '/^mock_timer_lateness_seconds_bucket/ {le[$5]=$NF; tot=$NF}
    /^mock_itl_seconds_sum/ {s=$NF} /^mock_itl_seconds_count/ {c=$NF}
    END {printf "mock served itl mean %.3f ms over %d gaps; timer lateness: <=0.5ms %.2f%%  <=1ms %.2f%%  <=2ms %.3f%%  <=5ms %.3f%% of %d sends\n",
        s / c * 1000, c, 100*le["0.0005"]/tot, 100*le["0.001"]/tot, 100*le["0.002"]/tot, 100*le["0.005"]/tot, tot}' "$work/metrics"
