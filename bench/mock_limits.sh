#!/usr/bin/env bash
# What deployment limits cost the mock: requests/s of non-stream chat on one mock thread (pinned to CPU 1,
# wrk -t1 -c64 on CPU 0) for three deployments served by the same process, one round each in turn:
#   off        no limits
#   on         limits: {rpm: 10000000, tpm: 10000000000} (never hit: every request admitted, charged, settled)
#   exhausted  limits: {rpm: 1} (after the first request every answer is the provider's 429 with its headers)
# Prints the medians and the ratios on/off (target >= 0.9) and exhausted/off (target >= 1.0: a 429 storm is
# at least as fast as serving 200s), and the mock's CPU time per request of each (user + system ticks over the
# requests wrk counted: it moves less than requests/s when other work shares the machine). Exits 1 when a
# target is missed.
#   bench/mock_limits.sh [--duration 10s] [--rounds 3]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
duration=10s
rounds=3
while [[ $# -gt 0 ]]; do
    case "$1" in
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) echo "usage: $0 [--duration 10s] [--rounds 3]" >&2; exit 2 ;;
    esac
done
bench_setup

cat >"$work/mock.yaml" <<'YAML'
mock:
  threads: 1
  deployments:
    - {name: off, output_tokens: fixed(16)}
    - {name: on, output_tokens: fixed(16), limits: {rpm: 10000000, tpm: 10000000000}}
    - {name: exhausted, output_tokens: fixed(16), limits: {rpm: 1}}
YAML
bench_start_mock "$work/mock.log" taskset -c 1 "$build/mock-provider/mock-provider" --config "$work/mock.yaml" \
    --log-level warn
url() { sr_mock_url "$work/mock.log" "$1"; }
body='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello! This is a OpenAI/Azure release test."}],"max_tokens":50}'
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[%s]==]\n' "$body" \
    >"$work/post.lua"
code_of() { curl -s -o /dev/null -w '%{http_code}' -X POST -d "$body" "$(url "$1")/chat/completions"; }
[[ $(code_of on) == 200 && $(code_of exhausted) == 200 && $(code_of exhausted) == 429 ]] ||
    { echo "bench/mock_limits.sh: the deployments do not answer as expected" >&2; exit 1; }

declare -A runs cpu
for _ in $(seq 1 "$rounds"); do
    for d in off on exhausted; do
        t0=$(bench_cpu_ticks "$MOCK_PID")
        out=$(taskset -c 0 wrk -t1 -c64 -d"$duration" -s "$work/post.lua" "$(url "$d")/chat/completions")
        t1=$(bench_cpu_ticks "$MOCK_PID")
        runs[$d]+=" $(echo "$out" | bench_wrk_rps)"
        cpu[$d]+=" $(echo "$out" | bench_us_per_request "$t0" "$t1")"
    done
done
# shellcheck disable=SC2086
off=$(bench_median ${runs[off]})
# shellcheck disable=SC2086
on=$(bench_median ${runs[on]})
# shellcheck disable=SC2086
ex=$(bench_median ${runs[exhausted]})
status=$(curl -s "$(url off | sed 's|/v1$||')/metrics" | grep '^mock_rate_limited_total{deployment="exhausted",limit="requests"}' | awk '{print $2}')
printf 'off %9.0f rps  on (never hit) %9.0f rps  exhausted (429) %9.0f rps\n' "$off" "$on" "$ex"
printf 'on/off %s (target >= 0.9)  exhausted/off %s (target >= 1.0)  429s counted %s\n' \
    "$(bench_ratio "$on" "$off")" "$(bench_ratio "$ex" "$off")" "$status"
# shellcheck disable=SC2086
printf 'mock CPU per request: off %s us  on %s us  exhausted %s us\n' "$(bench_median ${cpu[off]})" \
    "$(bench_median ${cpu[on]})" "$(bench_median ${cpu[exhausted]})"
echo "rounds: off${runs[off]} | on${runs[on]} | exhausted${runs[exhausted]}"
echo "rounds us/req: off${cpu[off]} | on${cpu[on]} | exhausted${cpu[exhausted]}"
awk -v a="$on" -v b="$off" -v c="$ex" 'BEGIN { exit !(a >= 0.9 * b && c >= b) }'
