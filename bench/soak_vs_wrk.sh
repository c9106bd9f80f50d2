#!/usr/bin/env bash
# soak's maximum request rate on one thread against wrk's, same mock-provider (one worker thread, zero latency,
# pinned to CPU 1), both closed loop with 64 connections on CPU 0. Target: soak/wrk >= 0.6.
#   bench/soak_vs_wrk.sh [--duration 10s] [--rounds 3]
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

bench_start_mock "$work/mock.log" taskset -c 1 "$build/mock-provider/mock-provider" --threads 1 \
    --listen 127.0.0.1:0 --ttft 0ms --itl 0ms --output-tokens 16 --log-level warn
body='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello! This is a OpenAI/Azure release test."}],"max_tokens":50}'
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[%s]==]\n' "$body" >"$work/post.lua"

w=() s=()
for i in $(seq 1 "$rounds"); do
    w+=("$(taskset -c 0 wrk -t1 -c64 -d"$duration" -s "$work/post.lua" "$MOCK_URL/chat/completions" | bench_wrk_rps)")
    taskset -c 0 "$build/harness/soak" load --url "$MOCK_URL" --api openai.chat --model gpt-4o-mini \
        --prompt "Hello! This is a OpenAI/Azure release test." --max-tokens 50 \
        --users 64 --think 0s --spawn 100000/s --duration "$duration" --threads 1 --json "$work/s$i.json" --quiet >/dev/null || true
    s+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rate"]["achieved"])' "$work/s$i.json")")
done
wm=$(bench_median "${w[@]}")
sm=$(bench_median "${s[@]}")
echo "soak_vs_wrk: closed loop, 64 connections, one thread each on CPU 0, mock on CPU 1, -d$duration x $rounds, $(date -u +%F)"
printf 'soak %.0f rps  wrk %.0f rps  soak/wrk %s\n' "$sm" "$wm" "$(bench_ratio "$sm" "$wm")"
echo "  rounds: soak ${s[*]} | wrk ${w[*]}"
