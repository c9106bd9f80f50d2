#!/usr/bin/env bash
# mock-provider throughput against references serving the same response bytes on one core:
#   nginx (one worker, `return 200 '<bytes>'`) and a bare h2o handler (bench/h2o_bare.c).
# Non-stream chat with a small body and with the seed locustfile's ~12 KB body, wrk -t1 -c64.
# Server pinned to CPU 1, wrk to CPU 0. Prints the median requests/s of each and the ratios.
#   bench/mock_vs_nginx.sh [--duration 10s] [--rounds 3]
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

cc -std=c11 -O2 -D_GNU_SOURCE -DH2O_USE_LIBUV=0 "$root/bench/h2o_bare.c" -o "$work/h2o_bare" -lh2o-evloop

small='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello! This is a OpenAI/Azure release test."}],"max_tokens":50}'
unit="6f1c2b8e-3d4a-4e5f-9a0b-1c2d3e4f5a6b This is a test there will be no cache hits and we'll fill up the context"
large=$(python3 -c "import json,sys; print(json.dumps({'model':'fake-openai-endpoint','messages':[{'role':'user','content':sys.argv[1]*150}],'user':'my-new-end-user-1'}))" "$unit")

mock_port=$(sr_free_port)
bench_start_mock "$work/mock.log" taskset -c 1 "$build/mock-provider/mock-provider" --threads 1 \
    --listen "127.0.0.1:$mock_port" --ttft 0ms --itl 0ms --output-tokens 16 --log-level warn

run_case() { # name body
    local name=$1 body=$2
    printf '%s' "$body" >"$work/req.json"
    curl -s -X POST -H 'Content-Type: application/json' --data-binary @"$work/req.json" \
        "$MOCK_URL/chat/completions" >"$work/resp.json"
    printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[%s]==]\n' \
        "$body" >"$work/post.lua"

    local nginx_port bare_port
    nginx_port=$(sr_free_port)
    bare_port=$(sr_free_port)
    bench_start_nginx "$work/nginx-$name" "$nginx_port" "$work/resp.json"
    taskset -c 1 "$work/h2o_bare" "$bare_port" "$work/resp.json" &
    sr_track "$!"
    sr_wait_port "$bare_port"

    local -a m=() n=() b=()
    for _ in $(seq 1 "$rounds"); do
        n+=("$(taskset -c 0 wrk -t1 -c64 -d"$duration" -s "$work/post.lua" "http://127.0.0.1:$nginx_port/v1/chat/completions" | bench_wrk_rps)")
        b+=("$(taskset -c 0 wrk -t1 -c64 -d"$duration" -s "$work/post.lua" "http://127.0.0.1:$bare_port/v1/chat/completions" | bench_wrk_rps)")
        m+=("$(taskset -c 0 wrk -t1 -c64 -d"$duration" -s "$work/post.lua" "$MOCK_URL/chat/completions" | bench_wrk_rps)")
    done
    local mm nm bm
    mm=$(bench_median "${m[@]}")
    nm=$(bench_median "${n[@]}")
    bm=$(bench_median "${b[@]}")
    printf '%-6s body %6d B, response %5d B: mock %9.0f rps  nginx %9.0f rps  h2o-bare %9.0f rps  mock/nginx %s  mock/h2o-bare %s\n' \
        "$name" "${#body}" "$(wc -c <"$work/resp.json")" "$mm" "$nm" "$bm" "$(bench_ratio "$mm" "$nm")" "$(bench_ratio "$mm" "$bm")"
    echo "  rounds: mock ${m[*]} | nginx ${n[*]} | h2o-bare ${b[*]}"
}

echo "mock_vs_nginx: wrk -t1 -c64 -d$duration, $rounds rounds, servers on CPU 1, wrk on CPU 0, $(date -u +%F)"
run_case small "$small"
run_case large "$large"
