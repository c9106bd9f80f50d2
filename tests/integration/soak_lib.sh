# tests/integration/soak_lib.sh — helpers for the soak_*_test.sh scripts (sourced, not a test).
#
# Starts the real mock-provider ($MOCK_PROVIDER) with an inline config on port 0, runs the real soak
# ($SOAK) against it, and stops every process it started by PID when the script exits. Timing tolerances
# scale with SOAK_TIME_SCALE (default 1).

set -u
SOAK=${SOAK:?set SOAK to the soak binary}
MOCK_PROVIDER=${MOCK_PROVIDER:?set MOCK_PROVIDER to the mock-provider binary}
SCALE=${SOAK_TIME_SCALE:-1}
TMP=$(mktemp -d /tmp/soak_itest.XXXXXX)
PIDS=()
MOCK_PID=

cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in soak.out soak.err mock.err; do
        if [ -s "$TMP/$f" ]; then
            echo "--- $f:" >&2
            tail -30 "$TMP/$f" >&2
        fi
    done
    exit 1
}

pass() {
    echo "ok: $*"
}

expect_eq() { # actual expected what
    [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"
}

expect_contains() { # text part what
    [[ "$1" == *"$2"* ]] || fail "$3: '$2' not found in: ${1:0:800}"
}

# fcmp "EXPR": a python boolean expression
fcmp() {
    python3 -c "import sys; sys.exit(0 if ($1) else 1)"
}

# scaled SECONDS: SECONDS times SOAK_TIME_SCALE
scaled() {
    python3 -c "print($1 * $SCALE)"
}

# jq_py FILE EXPR: evaluates a python expression on the JSON document in FILE (bound to j)
jq_py() {
    python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"
}

# start_mock CONFIG_TEXT: writes the mock: config, starts mock-provider, waits for its ready line.
start_mock() {
    printf '%s\n' "$1" >"$TMP/mock.yaml"
    "$MOCK_PROVIDER" --config "$TMP/mock.yaml" >"$TMP/mock.out" 2>"$TMP/mock.err" &
    MOCK_PID=$!
    PIDS+=("$MOCK_PID")
    local limit
    limit=$(python3 -c "print(int(100 * $SCALE))")
    for _ in $(seq 1 "$limit"); do
        grep -q '^mock-provider: ready$' "$TMP/mock.out" && return 0
        kill -0 "$MOCK_PID" 2>/dev/null || fail "mock-provider exited during startup"
        sleep 0.1
    done
    fail "mock-provider did not print its ready line"
}

# url_of NAME: the api_base of deployment NAME (http://127.0.0.1:PORT/v1)
url_of() {
    sed -n "s|^mock-provider: deployment $1 listening on \(http://.*\)$|\1|p" "$TMP/mock.out"
}

# mock_requests NAME: the sum of mock_requests_total over every series of deployment NAME
mock_requests() {
    local u
    u=$(url_of "$1")
    curl -s "${u%/v1}/metrics" | awk -v d="deployment=\"$1\"" \
        '/^mock_requests_total\{/ && index($0, d) { s += $NF } END { printf "%d\n", s }'
}

# run_soak ARGS...: runs soak in the foreground with stdout/stderr in $TMP; sets RC.
run_soak() {
    "$SOAK" "$@" >"$TMP/soak.out" 2>"$TMP/soak.err"
    RC=$?
}

# free_port: a TCP port on 127.0.0.1 nothing listens on (bound then released by python)
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
