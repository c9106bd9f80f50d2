# tests/integration/fp_lib.sh — helpers for fault-proxy's integration tests (sourced after lib.sh).
#
#   start_upstream            fp_upstream.py on a free port: sets UPSTREAM_PORT
#   start_fproxy CONFIG [ARGS...]
#                             fault-proxy with CONFIG (text) and an API on port 0: sets FP_PID, FP_API (URL)
#   proxy_port NAME           the port proxy NAME printed in its ready line
FAULT_PROXY=${FAULT_PROXY:?set FAULT_PROXY to the fault-proxy binary}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

start_upstream() {
    python3 "$HERE/fp_upstream.py" "$TMP/upstream.port" 300 &
    sr_track $!
    for _ in $(seq 1 "$(sr_tries 10)"); do
        [ -s "$TMP/upstream.port" ] && break
        sleep 0.1
    done
    UPSTREAM_PORT=$(cat "$TMP/upstream.port") || fail "the test upstream did not start"
}

start_fproxy() {
    local config=$1 n
    shift
    printf '%s\n' "$config" >"$TMP/fp.yaml"
    : >"$TMP/fp.out"
    "$FAULT_PROXY" --config "$TMP/fp.yaml" --api 127.0.0.1:0 "$@" >"$TMP/fp.out" 2>"$TMP/fp.err" &
    FP_PID=$!
    sr_track "$FP_PID"
    n=$(sr_tries 10)
    for _ in $(seq 1 "$n"); do
        if grep -q '^fault-proxy: ready$' "$TMP/fp.out"; then
            FP_API=$(sed -n 's|^fault-proxy: api listening on \(http://[^ ]*\)$|\1|p' "$TMP/fp.out")
            return 0
        fi
        kill -0 "$FP_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$TMP/fp.err" >&2
    fail "fault-proxy did not start"
}

proxy_port() {
    sed -n "s|^fault-proxy: proxy $1 listening on [^ ]*:\([0-9]*\) upstream .*|\1|p" "$TMP/fp.out"
}

# stop_fproxy: stops the current fault-proxy (SIGTERM) and checks that it exits 0.
stop_fproxy() {
    kill -TERM "$FP_PID"
    local rc=0
    wait "$FP_PID" || rc=$?
    [ "$rc" -eq 0 ] || fail "fault-proxy exited $rc on SIGTERM"
}
