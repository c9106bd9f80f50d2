# tests/integration/mock_lib.sh — helpers for the mock_*_test.sh scripts (sourced, not a test), on top of
# lib.sh (processes, assertions, start_mock, url_of).

ITEST_NAME=mock_itest
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

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
