#!/usr/bin/env bash
# soak against hey (Debian) and autocannon (bench/node, npm ci) side by side: the same POST chat request to the
# same target (nginx, one worker, answering with the mock's own response bytes; or the mock itself), closed loop
# with the same number of connections, each load tool pinned to CPU 0 and the target to CPU 1. For every tool:
# requests/s, the CPU it used (utime+stime from /proc/PID/stat over the run less its first and last second) and
# requests/s per CPU-second. The tools run back to back in each round (order rotated), and the ratios are taken
# within a round; the script prints the medians over the rounds. wrk runs beside them as a reference, not a
# peer: a minimal C client (no response checks, no per-request records), the floor any client here can reach.
# Targets (issue 7): soak >= 1.5x hey and >= 1.0x autocannon in requests/s per CPU-second; exit 1 if missed.
#   bench/soak_vs_peers.sh [--duration 10s] [--rounds 3] [--connections 64] [--target nginx|mock]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
duration=10
rounds=3
conns=64
target=nginx
usage() { echo "usage: $0 [--duration 10s] [--rounds 3] [--connections 64] [--target nginx|mock]" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
    case "$1" in
    --duration) duration=${2%s}; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    *) usage ;;
    esac
done
[[ "$duration" =~ ^[0-9]+$ && "$duration" -ge 4 && "$duration" -le 600 ]] || { echo "--duration: 4s..600s" >&2; usage; }
[[ "$rounds" =~ ^[0-9]+$ && "$rounds" -ge 1 && "$rounds" -le 20 ]] || { echo "--rounds: 1..20" >&2; usage; }
[[ "$conns" =~ ^[0-9]+$ && "$conns" -ge 1 && "$conns" -le 1000 ]] || { echo "--connections: 1..1000" >&2; usage; }
[[ "$target" == nginx || "$target" == mock ]] || usage
bench_setup
autocannon=$root/bench/node/node_modules/autocannon/autocannon.js
hz=$(getconf CLK_TCK)

prompt="Hello! This is a OpenAI/Azure release test."
body='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"'"$prompt"'"}],"max_tokens":50}'
printf '%s' "$body" >"$work/req.json"
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[%s]==]\n' "$body" >"$work/post.lua"
bench_start_mock "$work/mock.log" taskset -c 1 "$build/mock-provider/mock-provider" --threads 1 \
    --listen 127.0.0.1:0 --ttft 0ms --itl 0ms --output-tokens 16 --log-level warn
curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$work/req.json" \
    "$MOCK_URL/chat/completions" >"$work/resp.json"
base=$MOCK_URL
if [[ "$target" == nginx ]]; then
    port=$(sr_free_port)
    bench_start_nginx "$work/nginx" "$port" "$work/resp.json"
    base="http://127.0.0.1:$port/v1"
fi
url="$base/chat/completions"

# run_tool NAME: runs one tool for the duration on CPU 0; prints "rps cores failed".
run_tool() {
    local name=$1 out=$work/$1.out pid t0 t1 c0 c1
    case "$name" in
    soak) taskset -c 0 "$build/harness/soak" load --url "$base" --api openai.chat --model gpt-4o-mini \
              --prompt "$prompt" --max-tokens 50 --users "$conns" --think 0s --spawn 100000/s \
              --duration "${duration}s" --threads 1 --json "$work/soak.json" --quiet >"$out" 2>&1 & ;;
    hey) taskset -c 0 hey -z "${duration}s" -c "$conns" -cpus 1 -m POST -T application/json \
             -D "$work/req.json" "$url" >"$out" 2>&1 & ;;
    wrk) taskset -c 0 wrk -t1 -c"$conns" -d"${duration}s" -s "$work/post.lua" "$url" >"$out" 2>&1 & ;;
    autocannon) taskset -c 0 node "$autocannon" -c "$conns" -d "$duration" -m POST \
                    -H 'Content-Type=application/json' -i "$work/req.json" -j "$url" >"$out" 2>"$out.err" & ;;
    esac
    pid=$!
    sr_track "$pid"
    # CPU over the run without its first and last second: start-up (Node.js loading its modules, soak
    # spawning users) and the final report are not the steady state the ratio is about.
    sleep 1
    c0=$(bench_cpu_ticks "$pid" 2>/dev/null || echo 0); t0=$(bench_now)
    sleep $((duration - 2))
    c1=$(bench_cpu_ticks "$pid" 2>/dev/null || echo 0); t1=$(bench_now)
    bench_wait_exit "$pid" $((duration + 30)) || true
    local cores
    cores=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v t0="$t0" -v t1="$t1" 'BEGIN {printf "%.3f", (b - a) / hz / (t1 - t0)}')
    # A tool that failed leaves no figures: the caller sees an empty line and shows its output.
    case "$name" in
    soak) python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))
print(s["rate"]["achieved"], sys.argv[2], s["requests"]["failed"])' "$work/soak.json" "$cores" 2>/dev/null || true ;;
    # hey lists "[code] count responses" and then, under "Error distribution:", "[count] error".
    hey) awk -v c="$cores" '/Requests\/sec:/ {r = $2} /^Error distribution:/ {e = 1}
             /^ *\[[0-9]+\]/ {n = $1; gsub(/[][]/, "", n); if (e) f += n; else if (n != 200) f += $2}
             END {print r, c, f + 0}' "$out" ;;
    # wrk counts non-2xx responses and socket errors apart from the requests it reports.
    wrk) awk -v c="$cores" '/Requests\/sec:/ {r = $2} /Non-2xx or 3xx responses:/ {f += $NF}
             /Socket errors:/ {for (i = 4; i <= NF; i += 2) {v = $i; gsub(/,/, "", v); f += v}}
             END {print r, c, f + 0}' "$out" ;;
    autocannon) python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))
print(s["requests"]["total"] / s["duration"], sys.argv[2], s["non2xx"] + s["errors"] + s["timeouts"])' "$out" "$cores" 2>/dev/null || true ;;
    esac
}

tools=(soak hey autocannon wrk)
declare -A rps cores per last
r_hey=() r_ac=() r_wrk=()
echo "soak_vs_peers: POST chat ($(wc -c <"$work/req.json") B, response $(wc -c <"$work/resp.json") B) to $target on CPU 1," \
    "closed loop, $conns connections, tools on CPU 0, ${duration}s x $rounds rounds, $(date -u +%F)"
printf '  %-5s %-10s %10s %7s %12s %7s\n' round tool rps cores rps/cpu-s failed
for ((i = 0; i < rounds; i++)); do
    for ((k = 0; k < ${#tools[@]}; k++)); do
        t=${tools[$(((i + k) % ${#tools[@]}))]}
        run_tool "$t" >"$work/result"
        read -r r c f <"$work/result" || true
        if ! awk -v r="${r:-0}" -v c="${c:-0}" 'BEGIN {exit !(r > 0 && c > 0)}'; then
            echo "soak_vs_peers: $t gave no figures in round $((i + 1)); its output:" >&2
            tail -n 20 "$work/$t.out" "$work/$t.out.err" >&2 2>/dev/null || true
            exit 2
        fi
        p=$(awk -v r="$r" -v c="$c" 'BEGIN {if (c > 0) printf "%.0f", r / c; else print 0}')
        rps[$t]+=" $r"; cores[$t]+=" $c"; per[$t]+=" $p"
        printf '  %-5s %-10s %10.0f %7.2f %12s %7s\n' "$((i + 1))" "$t" "$r" "$c" "$p" "$f"
        [[ "$f" == 0 ]] || echo "  warning: $t had $f failed requests in round $((i + 1))" >&2
        last[$t]=$p
    done
    r_hey+=("$(bench_ratio "${last[soak]}" "${last[hey]}")")
    r_ac+=("$(bench_ratio "${last[soak]}" "${last[autocannon]}")")
    r_wrk+=("$(bench_ratio "${last[wrk]}" "${last[hey]}")")
done

echo "medians over $rounds rounds:"
for t in "${tools[@]}"; do
    # shellcheck disable=SC2086
    printf '  %-10s %9.0f rps on %.2f cores = %7.0f rps per CPU-second\n' "$t" \
        "$(bench_median ${rps[$t]})" "$(bench_median ${cores[$t]})" "$(bench_median ${per[$t]})"
done
mh=$(bench_median "${r_hey[@]}")
ma=$(bench_median "${r_ac[@]}")
echo "  soak/hey        $mh (rounds ${r_hey[*]})  target >= 1.5"
echo "  soak/autocannon $ma (rounds ${r_ac[*]})  target >= 1.0"
echo "  wrk/hey         $(bench_median "${r_wrk[@]}") (rounds ${r_wrk[*]})  reference: the floor, no target"
status=0
awk -v r="$mh" 'BEGIN {exit !(r >= 1.5)}' || { echo "FAIL: soak/hey $mh < 1.5"; status=1; }
awk -v r="$ma" 'BEGIN {exit !(r >= 1.0)}' || { echo "FAIL: soak/autocannon $ma < 1.0"; status=1; }
[[ $status -ne 0 ]] || echo "PASS: soak >= 1.5x hey and >= 1.0x autocannon per CPU-second"
exit "$status"
