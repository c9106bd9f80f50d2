#!/usr/bin/env bash
# What generic requests cost the engine: soak's CPU per request at --rate (10,000/s by default) of chat
# completions alone, against the same total rate with 1% of it a second group of `api: http` requests
# (GET /v1/models, a JSON check) at its own arrival process (load.groups). soak on CPU 0 with one engine
# thread, mock-provider on CPU 1 with one thread and no latency; the two runs alternate, --rounds times.
# soak's CPU is user + system time from wait4 over its whole life, divided by the requests it completed.
# Target (issue 13): the mix costs under 5% more CPU per request (ratio < 1.05).
#   bench/soak_generic_mix.sh [--rate 10000] [--duration 10s] [--rounds 3] [--share 1]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
rate=10000
duration=10s
rounds=3
share=1
while [[ $# -gt 0 ]]; do
    case "$1" in
    --rate) rate=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --share) share=$2; shift 2 ;;
    *) echo "usage: $0 [--rate 10000] [--duration 10s] [--rounds 3] [--share 1 (percent)]" >&2; exit 2 ;;
    esac
done
[[ $rate =~ ^[0-9]+$ && $rate -ge 100 && $rate -le 100000 ]] || { echo "--rate: 100 to 100000" >&2; exit 2; }
[[ $rounds =~ ^[0-9]+$ && $rounds -ge 1 && $rounds -le 20 ]] || { echo "--rounds: 1 to 20" >&2; exit 2; }
[[ $share =~ ^[0-9]+$ && $share -ge 1 && $share -le 50 ]] || { echo "--share: 1 to 50 (percent)" >&2; exit 2; }
[[ $duration =~ ^[0-9]+s$ && ${duration%s} -ge 2 && ${duration%s} -le 600 ]] || {
    echo "--duration: 2s to 600s" >&2
    exit 2
}
bench_setup

bench_start_mock "$work/mock.log" taskset -c 1 "$build/mock-provider/mock-provider" --threads 1 \
    --listen 127.0.0.1:0 --ttft 0ms --itl 0ms --output-tokens 16 --log-level warn
generic=$(awk -v r="$rate" -v s="$share" 'BEGIN {printf "%g", r * s / 100}')
llm=$(awk -v r="$rate" -v g="$generic" 'BEGIN {printf "%g", r - g}')
secs=${duration%s}

cat >"$work/alone.yaml" <<EOF
load:
  target: $MOCK_URL
  threads: 1
  arrival: {constant: $rate/s}
  requests: [{api: openai.chat, model: gpt-4o-mini, prompt: "Hello!"}]
expect: [{metric: failure_rate, max: 0%}]
EOF
cat >"$work/mix.yaml" <<EOF
load:
  target: $MOCK_URL
  threads: 1
  groups:
    - name: llm
      arrival: {constant: $llm/s}
      requests: [{api: openai.chat, model: gpt-4o-mini, prompt: "Hello!"}]
    - name: generic
      arrival: {constant: $generic/s}
      requests: [{api: http, method: GET, path: /models, json: true, contains: gpt-4o-mini}]
expect: [{metric: failure_rate, max: 0%}]
EOF

# run NAME ROUND: one soak run of $work/NAME.yaml; prints "us_per_request achieved failed"
run() {
    local name=$1 i=$2 status=0 wall user sys
    bench_start_rusage "$work/$name$i.rusage" taskset -c 0 "$build/harness/soak" load --config "$work/$name.yaml" \
        --duration "$duration" --quiet --json "$work/$name$i.json" >"$work/$name$i.log" 2>&1
    bench_wait_exit "$RUSAGE_PID" $((secs + 60)) || status=$?
    if [[ $status -ne 0 ]]; then
        echo "soak_generic_mix: the $name run failed (status $status):" >&2
        tail -n 20 "$work/$name$i.log" >&2
        exit 1
    fi
    read -r wall user sys _ <"$work/$name$i.rusage"
    python3 -c '
import json, sys
s = json.load(open(sys.argv[1])); cpu = float(sys.argv[2]) + float(sys.argv[3])
done, ach, failed = s["requests"]["total"], s["rate"]["achieved"], s["requests"]["failed"]
print(f"{cpu / done * 1e6:.2f} {ach:.1f} {failed}")' \
        "$work/$name$i.json" "$user" "$sys"
}

echo "soak_generic_mix: $rate/s for $duration, $rounds rounds; mix = $llm/s chat + $generic/s api: http" \
    "($share%); soak --threads 1 on CPU 0, mock on CPU 1; $(date -u '+%F %H:%M') UTC"
alone=() mix=()
for ((i = 1; i <= rounds; i++)); do
    read -r us ach failed < <(run alone "$i")
    echo "round $i  chat alone:   $us us/request  achieved $ach/s  failed $failed"
    alone+=("$us")
    read -r us ach failed < <(run mix "$i")
    echo "round $i  with generic: $us us/request  achieved $ach/s  failed $failed"
    mix+=("$us")
done
a=$(bench_median "${alone[@]}")
m=$(bench_median "${mix[@]}")
echo "median CPU per request: chat alone $a us, with $share% generic $m us; ratio $(bench_ratio "$m" "$a") (target < 1.05)"
