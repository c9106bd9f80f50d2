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

# bench_us_per_request TICKS_BEFORE TICKS_AFTER < OUTPUT_OF_WRK: a process's CPU microseconds per request wrk
# counted, from two bench_cpu_ticks readings around the run (a figure that moves less than requests/s when
# other work shares the machine; only meaningful when that process served nothing else meanwhile).
bench_us_per_request() {
    awk -v a="$1" -v b="$2" -v k="$(getconf CLK_TCK)" '/ requests in / {printf "%.2f\n", (b - a) / k * 1e6 / $1}'
}

# bench_median N1 N2 ...: the median of the numbers.
bench_median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# bench_ratio A B: A/B with 3 decimals.
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.3f\n", a / b; else print "n/a"}'; }

# bench_rss_kb PID: resident set size in KiB.
bench_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# bench_cpu_ticks PID: user+system clock ticks consumed so far (includes threads).
bench_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# bench_start_nginx DIR PORT RESPONSE_FILE: one nginx worker on CPU 1 answering every request with
# `return 200 '<RESPONSE_FILE's bytes>'` (application/json) on 127.0.0.1:PORT; waits until it listens.
bench_start_nginx() {
    local dir=$1 port=$2 resp=$3 escaped nginx
    nginx=$(command -v nginx || echo /usr/sbin/nginx)
    escaped=$(sed -e "s/\\\\/\\\\\\\\/g" -e "s/'/\\\\'/g" "$resp")
    mkdir -p "$dir"
    cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $dir;
    client_body_buffer_size 64k;
    keepalive_requests 100000000;
    server {
        listen 127.0.0.1:$port;
        location / { default_type application/json; return 200 '$escaped'; }
    }
}
CONF
    taskset -c 1 "$nginx" -c "$dir/nginx.conf" -e "$dir/error.log" &
    sr_track "$!"
    sr_wait_port "$port"
}

# bench_now: wall-clock seconds with nanoseconds.
bench_now() { date +%s.%N; }

# bench_alive PID: true while PID runs (an exited child not yet reaped is a zombie and does not count).
bench_alive() {
    local st
    st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n "$st" && "${st:0:1}" != Z ]]
}

# bench_wait_exit PID SECONDS: waits up to SECONDS for PID (a child of this shell) to exit, stops it by PID
# if it has not, and reaps it. Returns PID's exit status, or 124 when it had to be stopped.
bench_wait_exit() {
    local pid=$1 limit=$2 i
    for ((i = 0; i < limit * 10; i++)); do
        bench_alive "$pid" || break
        sleep 0.1
    done
    if bench_alive "$pid"; then
        echo "pid $pid still running after ${limit}s; stopping it" >&2
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        return 124
    fi
    wait "$pid"
}

# bench_start_rusage OUT CMD...: starts CMD in the background under a small wait4 wrapper, which writes
# "wall_s user_s sys_s status" to OUT when CMD ends (CPU of every thread, to the last tick) and exits with CMD's
# status. Sets RUSAGE_PID (the wrapper; it passes SIGTERM and SIGINT on to CMD) and records it for cleanup.
bench_start_rusage() {
    local out=$1
    shift
    python3 -c '
import os, signal, sys, time
out, argv = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
pid = os.posix_spawnp(argv[0], argv, os.environ)
for s in (signal.SIGTERM, signal.SIGINT):
    signal.signal(s, lambda n, f: os.kill(pid, n))
_, st, ru = os.wait4(pid, 0)
code = os.waitstatus_to_exitcode(st)
with open(out, "w") as f:
    f.write(f"{time.monotonic() - t0:.3f} {ru.ru_utime:.3f} {ru.ru_stime:.3f} {code}\n")
sys.exit(code if code >= 0 else 128 - code)
' "$out" "$@" &
    RUSAGE_PID=$!
    sr_track "$RUSAGE_PID"
}
