# ci/lib.sh — sourced by the ci/ scripts.

# ci_start_mock BINARY CONFIG: starts mock-provider in the background with CONFIG, waits until it is ready,
# sets MOCK_PID and MOCK_URL (the first deployment's api_base), and stops it by PID when the script exits.
ci_start_mock() {
    local binary=$1 config=$2
    CI_MOCK_LOG=$(mktemp)
    "$binary" --config "$config" >"$CI_MOCK_LOG" 2>&1 &
    MOCK_PID=$!
    trap 'kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null; rm -f "$CI_MOCK_LOG"' EXIT
    for _ in $(seq 1 100); do
        grep -q '^mock-provider: ready' "$CI_MOCK_LOG" && break
        if ! kill -0 "$MOCK_PID" 2>/dev/null; then
            cat "$CI_MOCK_LOG" >&2
            return 2
        fi
        sleep 0.1
    done
    MOCK_URL=$(sed -n 's/^mock-provider: deployment [^ ]* listening on \(http[^ ]*\)$/\1/p' "$CI_MOCK_LOG" | head -n 1)
    if [[ -z "$MOCK_URL" ]]; then
        echo "mock-provider did not become ready:" >&2
        cat "$CI_MOCK_LOG" >&2
        return 2
    fi
    echo "mock-provider ready at $MOCK_URL (pid $MOCK_PID)" >&2
}
