# tests/integration/lib.sh — what every integration test script shares (sourced, not a test).
#
# Starts the real mock-provider ($MOCK_PROVIDER) with an inline config on port 0, reads the deployments'
# URLs from its ready lines, and stops every process it started by PID when the script exits (through
# ci/lib.sh, the helpers ci/ and bench/ use too). Timing tolerances scale with SOAK_TIME_SCALE (default 1;
# the sanitizer presets set it). mock_lib.sh and soak_lib.sh add their own helpers.

set -u
MOCK_PROVIDER=${MOCK_PROVIDER:?set MOCK_PROVIDER to the mock-provider binary}
: "${SOAK_SOURCE_DIR:?set SOAK_SOURCE_DIR to the project root}"
source "$SOAK_SOURCE_DIR/ci/lib.sh"
SCALE=$SR_SCALE
TMP=$(mktemp -d "/tmp/${ITEST_NAME:-itest}.XXXXXX")
MOCK_PID=

cleanup() {
    sr_stop_all
    rm -rf "$TMP"
}
trap cleanup EXIT

# fail MESSAGE: prints it with the tail of every process log there is, and exits 1.
fail() {
    echo "FAIL: $*" >&2
    local f
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

expect_match() { # text regex what
    [[ "$1" =~ $2 ]] || fail "$3: '$1' does not match /$2/"
}

expect_contains() { # text part what
    [[ "$1" == *"$2"* ]] || fail "$3: '$2' not found in: ${1:0:800}"
}

# fcmp "EXPR": a python boolean expression, e.g. fcmp "0.21 >= 0.2"
fcmp() {
    python3 -c "import sys; sys.exit(0 if ($1) else 1)"
}

# scaled SECONDS: SECONDS times SOAK_TIME_SCALE
scaled() {
    python3 -c "print($1 * $SCALE)"
}

# start_mock CONFIG_TEXT [extra args...]: writes the config, starts the binary, waits for "ready".
start_mock() {
    local config=$1
    shift
    printf '%s\n' "$config" >"$TMP/config.yaml"
    sr_start_mock "$TMP/mock.out" "$TMP/mock.err" "$MOCK_PROVIDER" --config "$TMP/config.yaml" "$@" ||
        fail "mock-provider did not start"
}

# url_of NAME: the api_base printed for deployment NAME (http://host:port/v1)
url_of() {
    sr_mock_url "$TMP/mock.out" "$1"
}

# base_of NAME: the same without /v1 (for /health and /metrics)
base_of() {
    local u
    u=$(url_of "$1")
    echo "${u%/v1}"
}

# free_port: a TCP port on 127.0.0.1 nothing listens on at the moment (prefer port 0 where possible)
free_port() {
    sr_free_port
}
