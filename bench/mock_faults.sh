#!/usr/bin/env bash
# What configured faults cost the requests they never touch: requests/s of non-stream chat on one mock thread
# (pinned to CPU 1, wrk -t1 -c64 on CPU 0) for two deployments served by the same process, alternating:
#   none     no faults
#   faults   N request faults of every per-request kind (http_error, stall, close, reset, truncate,
#            malformed, stream_error, drip, in turn) whose targeting never matches: each names a model, a key
#            or a route that the load never sends, so every request is checked against all N and answered as
#            usual
# Also prints the mock's CPU time per request of each (user + system ticks over the requests wrk counted),
# which moves less than requests/s when other work shares the machine. Prints the medians and the ratio
# faults/none (issue 10: at least 0.95). Exits 1 when the target is missed.
#   bench/mock_faults.sh [--duration 10s] [--rounds 5] [--faults 8]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
duration=10s
rounds=5
nfaults=8
while [[ $# -gt 0 ]]; do
    case "$1" in
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --faults) nfaults=$2; shift 2 ;;
    *) echo "usage: $0 [--duration 10s] [--rounds 5] [--faults 8]" >&2; exit 2 ;;
    esac
done
[[ $nfaults =~ ^[0-9]+$ && $nfaults -ge 1 && $nfaults -le 64 ]] || { echo "--faults: 1 to 64" >&2; exit 2; }
bench_setup

# Fault i: kind i mod 8, targeted at what the load never sends (a model, a key, or a route other than chat).
kinds=('{kind: http_error, status: 500}' '{kind: stall, duration: 1s}' '{kind: close}' '{kind: reset}'
    '{kind: truncate, bytes: 10}' '{kind: malformed}' '{kind: stream_error}' '{kind: drip, every: 10ms}')
targets=('models: [never-model]' 'keys: [sk-never]' 'routes: [embeddings]')
{
    printf 'mock:\n  threads: 1\n  deployments:\n'
    printf '    - {name: none, output_tokens: fixed(16)}\n'
    printf '    - name: faults\n      output_tokens: fixed(16)\n      faults:\n'
    for ((i = 0; i < nfaults; i++)); do
        k=${kinds[i % 8]}
        printf '        - {name: f%d, %s, %s}\n' "$i" "${k:1:${#k}-2}" "${targets[i % 3]}"
    done
} >"$work/mock.yaml"
bench_start_mock "$work/mock.log" taskset -c 1 "$build/mock-provider/mock-provider" --config "$work/mock.yaml" \
    --log-level warn
url() { sr_mock_url "$work/mock.log" "$1"; }
body='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello! This is a OpenAI/Azure release test."}],"max_tokens":50}'
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[%s]==]\n' "$body" \
    >"$work/post.lua"
code_of() { curl -s -o /dev/null -w '%{http_code}' -X POST -d "$body" "$(url "$1")/chat/completions"; }
[[ $(code_of none) == 200 && $(code_of faults) == 200 ]] ||
    { echo "bench/mock_faults.sh: the deployments do not answer as expected" >&2; exit 1; }

# measure DEPLOYMENT: one wrk run; appends its requests/s to rps[D] and the mock's CPU us per request to cpu[D].
declare -A rps cpu
measure() {
    local t0 t1 out
    t0=$(bench_cpu_ticks "$MOCK_PID")
    out=$(taskset -c 0 wrk -t1 -c64 -d"$duration" -s "$work/post.lua" "$(url "$1")/chat/completions")
    t1=$(bench_cpu_ticks "$MOCK_PID")
    rps[$1]+=" $(echo "$out" | bench_wrk_rps)"
    cpu[$1]+=" $(echo "$out" | bench_us_per_request "$t0" "$t1")"
}
for r in $(seq 1 "$rounds"); do
    if ((r % 2)); then order="none faults"; else order="faults none"; fi
    for d in $order; do
        measure "$d"
    done
done
# shellcheck disable=SC2086
none=$(bench_median ${rps[none]})
# shellcheck disable=SC2086
faulty=$(bench_median ${rps[faults]})
applied=$(curl -s "$(url none | sed 's|/v1$||')/metrics" | awk '/^mock_faults_total\{deployment="faults"/ {s += $2} END {print s + 0}')
# shellcheck disable=SC2086
printf 'none %9.0f rps %6.2f us/req  faults (%d, never matching) %9.0f rps %6.2f us/req\n' "$none" \
    "$(bench_median ${cpu[none]})" "$nfaults" "$faulty" "$(bench_median ${cpu[faults]})"
printf 'faults/none %s (target >= 0.95)  faults applied %s (expected 0)\n' "$(bench_ratio "$faulty" "$none")" "$applied"
echo "rounds rps: none${rps[none]} | faults${rps[faults]}"
echo "rounds us/req: none${cpu[none]} | faults${cpu[faults]}"
[[ $applied == 0 ]] || { echo "bench/mock_faults.sh: a fault matched: the comparison is void" >&2; exit 1; }
awk -v a="$faulty" -v b="$none" 'BEGIN { exit !(a >= 0.95 * b) }'
