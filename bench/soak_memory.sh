#!/usr/bin/env bash
# soak's memory over a long run: 5K requests/s open loop against mock-provider, RSS of both sampled every 10 s,
# least-squares slope extrapolated to 24 h (target: under 10 MB for soak).
# The RSS samples ("seconds soak_kB mock_kB") are kept in --samples FILE when given.
#   bench/soak_memory.sh [--duration 30m] [--rate 5000] [--samples FILE]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
duration=30m
rate=5000
samples=""
while [[ $# -gt 0 ]]; do
    case "$1" in
    --duration) duration=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --samples) samples=$2; shift 2 ;;
    *) echo "usage: $0 [--duration 30m] [--rate 5000] [--samples FILE]" >&2; exit 2 ;;
    esac
done
bench_setup

bench_start_mock "$work/mock.log" taskset -c 1 "$build/mock-provider/mock-provider" --threads 1 \
    --listen 127.0.0.1:0 --ttft 5ms --itl 1ms --output-tokens 16 --log-level warn
taskset -c 0 "$build/harness/soak" load --url "$MOCK_URL" --api openai.chat --model gpt-4o-mini \
    --prompt "{{uuid}} memory soak" --rate "$rate/s" --duration "$duration" --threads 1 \
    --json "$work/summary.json" --jsonl "$work/series.jsonl" --quiet >/dev/null &
sp=$!
sr_track "$sp"
start=$(date +%s)
while kill -0 "$sp" 2>/dev/null; do
    s=$(bench_rss_kb "$sp" 2>/dev/null || true)
    m=$(bench_rss_kb "$MOCK_PID" 2>/dev/null || true)
    [[ -n "$s" && -n "$m" ]] && echo "$(($(date +%s) - start)) $s $m" >>"$work/rss"
    sleep 10
done
wait "$sp" || true
[[ -z "$samples" ]] || cp "$work/rss" "$samples"
python3 - "$work/rss" "$work/summary.json" "$rate" "$duration" <<'PY'
import json, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
# Skip the first minute (warm-up: pools and histograms reach their size).
rows = [r for r in rows if r[0] >= 60] or rows
def slope(xs, ys):
    n = len(xs); mx = sum(xs) / n; my = sum(ys) / n
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0
t = [r[0] for r in rows]
for name, col in (("soak", 1), ("mock-provider", 2)):
    ys = [r[col] for r in rows]
    per_day_mb = slope(t, ys) * 86400 / 1024
    print(f"{name:14s} RSS first {ys[0] / 1024:.1f} MB last {ys[-1] / 1024:.1f} MB max {max(ys) / 1024:.1f} MB  "
          f"slope extrapolated to 24 h {per_day_mb:+.2f} MB ({len(ys)} samples)")
s = json.load(open(sys.argv[2]))
print(f"requests ok {s['requests']['ok']} failed {s['requests']['failed']}  achieved {s['rate']['achieved']:.1f}/s "
      f"(target {sys.argv[3]}/s) over {sys.argv[4]}; peak in-flight {s['requests'].get('inflight_max')}, "
      f"late {s['requests'].get('late')}")
PY
