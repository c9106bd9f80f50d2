#!/usr/bin/env bash
# Open-loop rate accuracy: soak at 1K, 10K and 30K requests/s for --duration each against mock-provider
# (zero latency). Prints offered, achieved, the error against the target and p99 latency from the intended send
# time. Target: achieved within 0.5% of the target.
#   bench/soak_rate.sh [--duration 60s] [--rates "1000 10000 30000"]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
duration=60s
rates="1000 10000 30000"
while [[ $# -gt 0 ]]; do
    case "$1" in
    --duration) duration=$2; shift 2 ;;
    --rates) rates=$2; shift 2 ;;
    *) echo "usage: $0 [--duration 60s] [--rates \"1000 10000 30000\"]" >&2; exit 2 ;;
    esac
done
bench_setup

bench_start_mock "$work/mock.log" taskset -c 1 "$build/mock-provider/mock-provider" --threads 1 \
    --listen 127.0.0.1:0 --ttft 0ms --itl 0ms --output-tokens 16 --log-level warn
echo "soak_rate: open loop, soak --threads 1 on CPU 0, mock on CPU 1, $duration per rate, $(date -u +%F)"
for rate in $rates; do
    taskset -c 0 "$build/harness/soak" load --url "$MOCK_URL" --api openai.chat --model gpt-4o-mini \
        --prompt "Hello!" --rate "$rate/s" --duration "$duration" --threads 1 --json "$work/r$rate.json" --quiet >/dev/null || true
    python3 - "$work/r$rate.json" "$rate" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); target = float(sys.argv[2])
r = s["rate"]; lat = s.get("latency_ms", {})
print(f"target {target:8.0f}/s  offered {r['offered']:9.1f}/s  achieved {r['achieved']:9.1f}/s  "
      f"error {100 * (r['achieved'] - target) / target:+.3f}%  p99 {lat.get('p99')} ms  "
      f"failed {s['requests']['failed']} dropped {s['requests'].get('dropped')} late {s['requests'].get('late')}")
PY
done
