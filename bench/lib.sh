# bench/lib.sh — the one setup every benchmark script shares (sourced, not run), on top of ci/lib.sh (the
# process helpers ci/ and tests/ use: sr_start_mock, sr_track, sr_free_port, sr_wait_port, sr_stop_all).
#
#   source "$(dirname "$0")/lib.sh"
#   ... parse the script's own flags ...
#   bench_setup            # peers installed, release build current, $root $build $work set, cleanup on exit
#
# Every process a script starts is tracked (sr_start_mock, sr_track) and stopped by PID when it exits.

source "$(dirname "${BASH_SOURCE[0]}")/../ci/lib.sh"

bench_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

# bench_setup: installs the reference peers (ci/install-deps.sh --bench: nginx, wrk, locust, hey, autocannon)
# when missing, builds the release tree (or uses $BUILD when set), and sets root, build and work (a temporary
# directory removed on exit with every tracked process stopped).
bench_setup() {
    root=$(bench_root)
    "$root/ci/install-deps.sh" --bench
    if [[ -n ${BUILD:-} ]]; then
        build=$BUILD
    else
        build=$root/$("$root/ci/build.sh" release)
    fi
    work=$(mktemp -d "${TMPDIR:-/tmp}/soakrig-bench.XXXXXX")
    trap 'sr_stop_all; rm -rf "$work"' EXIT
}

# bench_start_mock LOG COMMAND...: starts mock-provider (possibly behind taskset) with its output in LOG and
# sets MOCK_URL (the first deployment's api_base) and MOCK_PID; exits the script when it does not start.
bench_start_mock() {
    local log=$1
    shift
    sr_start_mock "$log" "$log" "$@" || exit 1
}

# bench_wrk_rps OUTPUT_OF_WRK: prints the Requests/sec figure.
bench_wrk_rps() { awk '/^Requests\/sec:/ {print $2}'; }

# bench_median N1 N2 ...: the median of the numbers.
bench_median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# bench_ratio A B: A/B with 3 decimals.
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.3f\n", a / b; else print "n/a"}'; }

# bench_rss_kb PID: resident set size in KiB.
bench_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# bench_cpu_ticks PID: user+system clock ticks consumed so far (includes threads).
bench_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
