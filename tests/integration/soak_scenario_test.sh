#!/usr/bin/env bash
# tests/integration/soak_scenario_test.sh — the shipped scenarios run: configs/1k-rps.yaml (the
# seed's 1K RPS test) holds 1174/s within 1% with every request answered and its expectations passing, and
# configs/oai-azure-release.yaml runs its serial closed loop. The mock is started from the same files (on a
# free port instead of the fixed one, with --set) and the runs are shortened with --duration. The file's
# latency.p99 threshold is widened with --set (see below): the suite must pass on a loaded machine.
source "$(dirname "$0")/soak_lib.sh"
SRC=${SOAK_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}

# mock_from FILE: starts the mock from FILE's mock: section, its one deployment moved to port 0.
mock_from() {
    sr_start_mock "$TMP/mock.out" "$TMP/mock.err" "$MOCK_PROVIDER" --config "$1" \
        --set 'mock.deployments[0].listen=127.0.0.1:0' || fail "mock-provider did not start from $1"
}

mock_from "$SRC/configs/1k-rps.yaml"
URL=$(url_of fake-openai-endpoint)
[ -n "$URL" ] || fail "the mock did not start fake-openai-endpoint"
# The file's p99 < 250ms is for a machine that runs only the test (the main job runs it as written); the suite
# passes on a shared, loaded machine (seen at 351 ms beside two other test suites), so here the threshold is 1 s,
# times the square of the time scale for sanitizer builds. The median is checked below.
P99_MAX=$(python3 -c "print(round(1000 * $SCALE * $SCALE))")ms
run_soak load --config "$SRC/configs/1k-rps.yaml" --url "$URL" --duration 5s --quiet --json "$TMP/1k.json" \
    --jsonl "$TMP/1k.jsonl" --junit "$TMP/1k.xml" --set "expect[1].max=$P99_MAX"
S="$TMP/1k.json"
expect_eq "$(jq_py "$S" 'j["expectations"][1]["metric"]')" "latency.p99" "the second expectation of 1k-rps.yaml"
expect_eq "$RC" "0" "exit status of configs/1k-rps.yaml (expectations: $(jq_py "$S" \
    '[(e["metric"], e["measured_text"], e["result"]) for e in j["expectations"]]'))"
expect_eq "$(jq_py "$S" 'j["requests"]["sent"]')" "5870" "sent (1174/s for 5 s)"
expect_eq "$(jq_py "$S" 'j["requests"]["total"]')" "5870" "answered"
expect_eq "$(jq_py "$S" 'j["requests"]["ok"]')" "5870" "ok"
expect_eq "$(mock_requests fake-openai-endpoint)" "5870" "mock_requests_total"
ACH=$(jq_py "$S" 'j["rate"]["achieved"]')
fcmp "abs($ACH - 1174) <= 11.74" || fail "achieved $ACH/s, target 1174/s (1%)"
P50=$(jq_py "$S" 'j["latency_ms"]["p50"]')
fcmp "$P50 < 100 * $SCALE" || fail "median latency $P50 ms (the scenario keeps it well under 100 ms)"
pass "1k-rps: 5870/5870 answered, achieved ${ACH}/s, median ${P50} ms"

mock_from "$SRC/configs/oai-azure-release.yaml"
URL=$(url_of openai-release)
run_soak load --config "$SRC/configs/oai-azure-release.yaml" --url "$URL" --duration 4s --quiet --json "$TMP/rel.json"
S="$TMP/rel.json"
expect_eq "$RC" "0" "exit status of configs/oai-azure-release.yaml"
TOTAL=$(jq_py "$S" 'j["requests"]["total"]')
# One user, about 0.2 s per answer plus 1 s of think: 4 requests in 4 s, never two at once.
fcmp "3 <= $TOTAL <= 4" || fail "$TOTAL requests in 4 s from one user thinking 1 s"
expect_eq "$(jq_py "$S" 'j["requests"]["inflight_max"]')" "1" "in flight at most"
BASE=${URL%/v1}
MINI=$(curl -s "$BASE/metrics" | awk '/^mock_requests_total\{/ && /model="gpt-4o-mini"/ { s += $NF } END { print s + 0 }')
FULL=$(curl -s "$BASE/metrics" | awk '/^mock_requests_total\{/ && /model="gpt-4o"/ { s += $NF } END { print s + 0 }')
fcmp "abs($MINI - $FULL) <= 1" || fail "models not alternated: gpt-4o-mini $MINI, gpt-4o $FULL"
pass "oai-azure-release: $TOTAL requests, models $MINI/$FULL"
