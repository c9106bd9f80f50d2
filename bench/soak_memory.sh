#!/usr/bin/env bash
# soak's memory is bounded by its largest burst. Open-loop load against mock-provider for --duration; the mock
# is frozen (SIGSTOP) for --burst at 60 s, so requests pile up in flight (rate x burst of them): that is the
# largest burst of the run, and it sets the high-water mark. Smaller bursts (a third as long) follow every
# --every after 5 minutes. RSS of both processes is sampled every 2 s. The targets, for soak (the mock's
# figures are printed beside):
#   bounded   after the first 5 minutes, RSS never exceeds the high-water mark set by the largest burst by
#             more than 2 MB;
#   returns   45 s after each burst (when idle connections beyond recent need have been closed), RSS is within
#             2 MB of its level in the 20 s before the burst.
# Exits 1 when a target is missed, 0 otherwise. The samples ("seconds soak_kB mock_kB inflight") are kept in
# --samples FILE when given.
#   bench/soak_memory.sh [--duration 12m] [--rate 5000] [--burst 1s] [--every 2m] [--samples FILE]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
duration=12m
rate=5000
burst=1
every=120
samples=""
secs() { # 90s, 2m, 1h -> seconds
    case $1 in
    *ms) awk -v v="${1%ms}" 'BEGIN { print v / 1000 }' ;;
    *s) echo "${1%s}" ;;
    *m) echo $((${1%m} * 60)) ;;
    *h) echo $((${1%h} * 3600)) ;;
    *) echo "bench/soak_memory.sh: \"$1\" needs a unit (ms, s, m, h)" >&2; exit 2 ;;
    esac
}
while [[ $# -gt 0 ]]; do
    case "$1" in
    --duration) duration=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --burst) burst=$(secs "$2"); shift 2 ;;
    --every) every=$(secs "$2"); shift 2 ;;
    --samples) samples=$2; shift 2 ;;
    *) echo "usage: $0 [--duration 12m] [--rate 5000] [--burst 1s] [--every 2m] [--samples FILE]" >&2; exit 2 ;;
    esac
done
total=$(secs "$duration")
if ((total < 420)); then
    echo "bench/soak_memory.sh: --duration must be at least 7m (5 minutes of warm-up, then bursts)" >&2
    exit 2
fi
bench_setup

bench_start_mock "$work/mock.log" taskset -c 1 "$build/mock-provider/mock-provider" --threads 1 \
    --listen 127.0.0.1:0 --ttft 5ms --itl 1ms --output-tokens 16 --log-level warn
taskset -c 0 "$build/harness/soak" load --url "$MOCK_URL" --api openai.chat --model gpt-4o-mini \
    --prompt "{{uuid}} memory soak" --rate "$rate/s" --duration "$duration" --threads 1 \
    --json "$work/summary.json" --jsonl "$work/series.jsonl" --quiet >/dev/null 2>"$work/soak.err" &
sp=$!
sr_track "$sp"

# freeze SECONDS: the mock answers nothing for that long; soak keeps sending, so requests pile up in flight.
freeze() {
    kill -STOP "$MOCK_PID"
    sleep "$1"
    kill -CONT "$MOCK_PID"
}

start=$(date +%s)
next_burst=60
small=$(awk -v b="$burst" 'BEGIN { print b / 3 }')
: >"$work/bursts"
while kill -0 "$sp" 2>/dev/null; do
    now=$(($(date +%s) - start))
    s=$(bench_rss_kb "$sp" 2>/dev/null || true)
    m=$(bench_rss_kb "$MOCK_PID" 2>/dev/null || true)
    [[ -n "$s" && -n "$m" ]] && echo "$now $s $m" >>"$work/rss"
    if ((now >= next_burst && now + 60 < total)); then
        if ((next_burst == 60)); then
            freeze "$burst"
            next_burst=300
        else
            freeze "$small"
            next_burst=$((now + every))
        fi
        echo "$now" >>"$work/bursts"
    fi
    sleep 2
done
wait "$sp" || true
[[ -z "$samples" ]] || cp "$work/rss" "$samples"
python3 - "$work/rss" "$work/bursts" "$work/summary.json" "$rate" "$duration" <<'PY'
import json, statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
bursts = [float(l) for l in open(sys.argv[2]) if l.strip()]
MB = 1024.0
ok = True
for name, col, enforce in (("soak", 1, True), ("mock-provider", 2, False)):
    rss = [(r[0], r[col]) for r in rows]
    hwm = max(v for t, v in rss if t <= 300)
    after = [v for t, v in rss if t > 300]
    worst = max(after) if after else hwm
    bounded = worst <= hwm + 2 * MB
    line = (f"{name:14s} high-water mark by 5 min {hwm / MB:.1f} MB, max after {worst / MB:.1f} MB "
            f"({(worst - hwm) / MB:+.2f} MB): {'bounded' if bounded else 'NOT bounded'}")
    returns = []
    for b in bursts:
        before = [v for t, v in rss if b - 20 <= t < b]
        later = [v for t, v in rss if b + 40 <= t <= b + 50]
        if before and later:
            d = statistics.median(later) - statistics.median(before)
            returns.append((b, d))
    back = all(d <= 2 * MB for _, d in returns)
    line += "; after bursts " + ", ".join(f"{int(b)}s {d / MB:+.2f} MB" for b, d in returns)
    line += f": {'returns' if back else 'does NOT return'}"
    if enforce and not (bounded and back):
        ok = False
        line += "  (target missed)"
    print(line)
s = json.load(open(sys.argv[3]))
print(f"requests ok {s['requests']['ok']} failed {s['requests']['failed']}  achieved {s['rate']['achieved']:.1f}/s "
      f"(target {sys.argv[4]}/s) over {sys.argv[5]}; peak in-flight {s['requests'].get('inflight_max')}, "
      f"bursts at {', '.join(str(int(b)) + 's' for b in bursts)}")
sys.exit(0 if ok else 1)
PY
