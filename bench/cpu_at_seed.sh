#!/usr/bin/env bash
# CPU used by soak and by mock-provider at the seed load: configs/1k-rps.yaml (1,174 requests/s, open loop, the
# seed locustfile's ~12 KB chat body, the mock's lognormal latency) run as ci/main-job.sh runs it, for --duration.
# The mock listens on a free port (--set ...listen=127.0.0.1:0, as ci/main-job.sh does), and soak runs with
# --url pointing at it. For each process: CPU seconds / wall seconds as % of one core; soak's from wait4 over its
# whole life, the mock's from /proc/PID/stat over the same span. Medians of --rounds runs, a fresh mock each.
# Target (issue 7): soak + mock under 10% of one core; only --enforce makes missing it exit 1.
#   bench/cpu_at_seed.sh [--duration 20s] [--rounds 3] [--pin] [--mock-threads N] [--rate R] [--enforce]
#   --pin: soak on CPU 0 and the mock on CPU 1 (default: unpinned, as ci/main-job.sh runs them)
#   --mock-threads N: the mock's --threads (default: its own, one per CPU)
#   --rate R: soak's --rate instead of the config's 1174/s (to see the cost per request at other rates)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
duration=20
rounds=3
pin=0
enforce=0
mock_threads=()
rate=()
target_pct=10
usage() { echo "usage: $0 [--duration 20s] [--rounds 3] [--pin] [--mock-threads N] [--rate R] [--enforce]" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
    case "$1" in
    --duration) duration=${2%s}; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --pin) pin=1; shift ;;
    --mock-threads) mock_threads=(--threads "$2"); shift 2 ;;
    --rate) rate=(--rate "${2%/s}/s"); shift 2 ;;
    --enforce) enforce=1; shift ;;
    *) usage ;;
    esac
done
[[ "$duration" =~ ^[0-9]+$ && "$duration" -ge 2 && "$duration" -le 600 ]] || { echo "--duration: 2s..600s" >&2; usage; }
[[ "$rounds" =~ ^[0-9]+$ && "$rounds" -ge 1 && "$rounds" -le 20 ]] || { echo "--rounds: 1..20" >&2; usage; }
bench_setup
build=$(cd "$build" && pwd)
# soak writes the config's report directory (reports/...) under its working directory: keep it in $work.
cd "$work"
hz=$(getconf CLK_TCK)
soak_cpu=() mock_cpu=()
if [[ $pin -eq 1 ]]; then
    soak_cpu=(taskset -c 0)
    mock_cpu=(taskset -c 1)
fi

# Port 0: the mock binds a free port and prints its api_base, so nothing depends on 8080 being free.
config=$root/configs/1k-rps.yaml
free_port=(--set 'mock.deployments[fake-openai-endpoint].listen=127.0.0.1:0')

echo "cpu_at_seed: configs/1k-rps.yaml at ${rate[1]:-1174/s} for ${duration}s x $rounds rounds, $([[ $pin -eq 1 ]] && echo 'soak on CPU 0, mock on CPU 1' || echo unpinned), mock threads ${mock_threads[1]:-default}, $(date -u +%F)"
printf '  %-5s %9s %6s %9s %9s %9s %9s %9s\n' round achieved failed p99 soak mock together expect
s_pct=() m_pct=() t_pct=()
for ((i = 1; i <= rounds; i++)); do
    bench_start_mock "$work/mock$i.log" "${mock_cpu[@]}" "$build/mock-provider/mock-provider" --config "$config" "${free_port[@]}" "${mock_threads[@]}"
    m0=$(bench_cpu_ticks "$MOCK_PID")
    t0=$(bench_now)
    bench_start_rusage "$work/soak$i.rusage" "${soak_cpu[@]}" "$build/harness/soak" load \
        --config "$config" --url "$MOCK_URL" "${rate[@]}" --duration "${duration}s" --quiet \
        --json "$work/soak$i.json" >"$work/soak$i.log" 2>&1
    status=0
    bench_wait_exit "$RUSAGE_PID" $((duration + 60)) || status=$?
    m1=$(bench_cpu_ticks "$MOCK_PID")
    t1=$(bench_now)
    kill "$MOCK_PID"
    wait "$MOCK_PID" 2>/dev/null || true
    read -r wall user sys _ <"$work/soak$i.rusage"
    s=$(awk -v u="$user" -v y="$sys" -v w="$wall" 'BEGIN {printf "%.2f", 100 * (u + y) / w}')
    m=$(awk -v a="$m0" -v b="$m1" -v hz="$hz" -v t0="$t0" -v t1="$t1" 'BEGIN {printf "%.2f", 100 * (b - a) / hz / (t1 - t0)}')
    t=$(awk -v s="$s" -v m="$m" 'BEGIN {printf "%.2f", s + m}')
    s_pct+=("$s") m_pct+=("$m") t_pct+=("$t")
    read -r ach failed p99 ok < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))
print(round(s["rate"]["achieved"], 1), s["requests"]["failed"], s.get("latency_ms", {}).get("p99"), s["requests"]["ok"])' \
        "$work/soak$i.json")
    printf '  %-5s %7s/s %6s %6s ms %8s%% %8s%% %8s%% %9s\n' "$i" "$ach" "$failed" "$p99" "$s" "$m" "$t" \
        "$([[ $status -eq 0 ]] && echo pass || echo "exit $status")"
    awk -v u="$user" -v y="$sys" -v w="$wall" -v n="$ok" -v m="$((m1 - m0))" -v hz="$hz" 'BEGIN {
        printf "        soak user %.2fs sys %.2fs over %.2fs; CPU per request: soak %.0f us, mock %.0f us\n",
            u, y, w, (n > 0 ? 1e6 * (u + y) / n : 0), (n > 0 ? 1e6 * m / hz / n : 0) }'
done
sm=$(bench_median "${s_pct[@]}")
mm=$(bench_median "${m_pct[@]}")
tm=$(bench_median "${t_pct[@]}")
echo "medians over $rounds rounds, % of one core: soak $sm%  mock $mm%  together $tm%  (target < $target_pct%)"
if awk -v t="$tm" -v l="$target_pct" 'BEGIN {exit !(t < l)}'; then
    echo "PASS: soak + mock under $target_pct% of one core"
else
    echo "ABOVE TARGET: soak + mock $tm% >= $target_pct% of one core$([[ $enforce -eq 1 ]] || echo ' (not enforced; --enforce to fail)')"
    [[ $enforce -eq 0 ]] || exit 1
fi
