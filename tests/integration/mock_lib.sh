# tests/integration/mock_lib.sh — shared helpers for the mock_*_test.sh scripts (sourced, not a test).
#
# Starts the real mock-provider ($MOCK_PROVIDER) with an inline config on port 0, reads the deployments'
# URLs from its ready lines, and stops every process it started by PID when the script exits. Timing
# tolerances scale with SOAK_TIME_SCALE (default 1).

set -u
MOCK_PROVIDER=${MOCK_PROVIDER:?set MOCK_PROVIDER to the mock-provider binary}
SCALE=${SOAK_TIME_SCALE:-1}
TMP=$(mktemp -d /tmp/mock_itest.XXXXXX)
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
    if [ -s "$TMP/mock.err" ]; then
        echo "--- mock-provider stderr:" >&2
        tail -20 "$TMP/mock.err" >&2
    fi
    exit 1
}

pass() {
    echo "ok: $*"
}

expect_eq() { # actual expected what
    [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"
}

expect_match() { # text regex what
    [[ "$1" =~ $2 ]] || fail "$3: '$1' does not match /$2/"
}

expect_contains() { # text part what
    [[ "$1" == *"$2"* ]] || fail "$3: '$2' not found in: ${1:0:600}"
}

# float comparisons: fcmp "0.21 >= 0.2"
fcmp() {
    python3 -c "import sys; sys.exit(0 if ($1) else 1)"
}

# start_mock CONFIG_TEXT [extra args...]: writes the config, starts the binary, waits for "ready".
start_mock() {
    local config=$1
    shift
    printf '%s\n' "$config" >"$TMP/config.yaml"
    "$MOCK_PROVIDER" --config "$TMP/config.yaml" "$@" >"$TMP/mock.out" 2>"$TMP/mock.err" &
    MOCK_PID=$!
    PIDS+=("$MOCK_PID")
    local limit
    limit=$(python3 -c "print(int(100 * $SCALE))")
    for _ in $(seq 1 "$limit"); do
        grep -q '^mock-provider: ready$' "$TMP/mock.out" && return 0
        kill -0 "$MOCK_PID" 2>/dev/null || fail "mock-provider exited during startup: $(cat "$TMP/mock.err")"
        sleep 0.1
    done
    fail "mock-provider did not print its ready line"
}

# url_of NAME: the api_base printed for deployment NAME (http://host:port/v1)
url_of() {
    sed -n "s|^mock-provider: deployment $1 listening on \(http://.*\)$|\1|p" "$TMP/mock.out"
}

# base_of NAME: the same without /v1 (for /health and /metrics)
base_of() {
    local u
    u=$(url_of "$1")
    echo "${u%/v1}"
}

# stop_mock: SIGTERM, then the process must exit 0 within a second (times SCALE).
stop_mock() {
    local start end rc
    start=$(date +%s.%N)
    kill -TERM "$MOCK_PID"
    wait "$MOCK_PID"
    rc=$?
    end=$(date +%s.%N)
    expect_eq "$rc" "0" "exit status after SIGTERM"
    fcmp "$end - $start < 1.0 * $SCALE + 0.2" || fail "stop took $(python3 -c "print($end - $start)") s"
}

# metric NAME_WITH_LABELS: the value of one series in /metrics of deployment $1 (empty when absent)
metric() {
    curl -s "$(base_of "$1")/metrics" | awk -v k="$2" 'index($0, k " ") == 1 { print $NF }'
}

# json EXPR: evaluates a python expression on the JSON read from stdin (bound to j)
json() {
    python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"
}
