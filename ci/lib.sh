# ci/lib.sh — starting and stopping SoakRig's processes; sourced (never run) by ci/, bench/ and
# tests/integration/, so there is one way to start the mock, wait for it and stop everything by PID.
#
#   source ci/lib.sh
#   trap sr_stop_all EXIT
#   sr_start_mock "$dir/mock.out" "$dir/mock.err" build/release/mock-provider/mock-provider --config F || exit 2
#   curl "$MOCK_URL/models"; sr_mock_url "$dir/mock.out" NAME      # the api_base of deployment NAME
#
# Waits scale with SOAK_TIME_SCALE (default 1; sanitizer builds run slower).

SR_PIDS=()
SR_SCALE=${SOAK_TIME_SCALE:-1}

# sr_track PID: stop PID with the others in sr_stop_all.
sr_track() {
    SR_PIDS+=("$1")
}

# sr_stop_all: SIGTERM to every tracked process still running, up to 3 s each to exit, then SIGKILL. Safe under
# `set -e` and in an EXIT trap: a process that already exited is not an error.
sr_stop_all() {
    local p
    for p in "${SR_PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${SR_PIDS[@]}"; do
        for _ in $(seq 1 30); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    SR_PIDS=()
    return 0
}

# sr_tries SECONDS: how many 0.1 s polls make SECONDS, scaled by SOAK_TIME_SCALE.
sr_tries() {
    awk -v s="$1" -v k="$SR_SCALE" 'BEGIN { n = int(s * k * 10); print (n < 1 ? 1 : n) }'
}

# sr_free_port: a TCP port on 127.0.0.1 that nothing listens on at the moment of the call. Prefer port 0 and
# the ready line where the program supports it: another process may take the port before it is used.
sr_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# sr_wait_port PORT [SECONDS]: returns 0 once something accepts on 127.0.0.1:PORT (default wait 10 s).
sr_wait_port() {
    local n
    n=$(sr_tries "${2:-10}")
    for _ in $(seq 1 "$n"); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing accepts on 127.0.0.1:$1" >&2
    return 1
}

# sr_mock_url OUT [NAME]: the api_base mock-provider printed for deployment NAME (default: the first one).
sr_mock_url() {
    sed -n "s|^mock-provider: deployment ${2:-[^ ]*} listening on \(http[^ ]*\)$|\1|p" "$1" | head -n 1
}

# sr_start_mock OUT ERR COMMAND...: runs COMMAND (mock-provider, possibly behind taskset) in the background
# with stdout in OUT and stderr in ERR (they may be one file), waits up to 10 s for its ready line, and sets
# MOCK_PID and MOCK_URL (the first deployment's api_base). On failure prints why with the end of the log
# and returns 1.
sr_start_mock() {
    local out=$1 err=$2 n
    shift 2
    # Emptied here, not by the job's own redirection: a background job truncates its files only once it runs,
    # so the wait below could read the previous run's ready line (and its old addresses) from them.
    : >"$out"
    : >"$err"
    if [[ $out == "$err" ]]; then
        "$@" >>"$out" 2>&1 &
    else
        "$@" >>"$out" 2>>"$err" &
    fi
    MOCK_PID=$!
    MOCK_URL=
    sr_track "$MOCK_PID"
    n=$(sr_tries 10)
    for _ in $(seq 1 "$n"); do
        if grep -q '^mock-provider: ready$' "$out"; then
            MOCK_URL=$(sr_mock_url "$out")
            return 0
        fi
        if ! kill -0 "$MOCK_PID" 2>/dev/null; then
            echo "mock-provider exited during startup:" >&2
            tail -n 20 "$err" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "mock-provider printed no ready line within $(awk -v k="$SR_SCALE" 'BEGIN { print 10 * k }') s:" >&2
    tail -n 20 "$err" >&2
    return 1
}
