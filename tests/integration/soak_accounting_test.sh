#!/usr/bin/env bash
# tests/integration/soak_accounting_test.sh — soak against the real mock-provider: every request accounted
# for (summary total == sent == the mock's own count), the achieved rate within 1% of the target, the
# JSONL series adding up to the total, and measured latency, TTFT and inter-token latency matching the
# mock's configured latency; models cycle evenly.
source "$(dirname "$0")/soak_lib.sh"

start_mock "
mock:
  threads: 1
  deployments:
    - name: acct
      latency: {ttft: 30ms, itl: 10ms}
      output_tokens: fixed(5)
"
URL=$(url_of acct)
[ -n "$URL" ] || fail "no URL for deployment acct"
TOL=$(scaled 5) # ms of scheduling noise allowed above the configured latency

# ---- non-stream, open loop at 200/s for 3 s: exactly 600 arrivals ----
run_soak load --url "$URL" --rate 200/s --duration 3s --seed 1 --quiet \
    --json "$TMP/a.json" --jsonl "$TMP/a.jsonl" --expect 'failure_rate<=0%'
expect_eq "$RC" "0" "exit status"
S="$TMP/a.json"
expect_eq "$(jq_py "$S" 'j["requests"]["sent"]')" "600" "requests sent"
expect_eq "$(jq_py "$S" 'j["requests"]["total"]')" "600" "requests total"
expect_eq "$(jq_py "$S" 'j["requests"]["ok"]')" "600" "requests ok"
expect_eq "$(jq_py "$S" 'j["requests"]["aborted"] + j["requests"]["dropped"]')" "0" "aborted + dropped"
expect_eq "$(mock_requests acct)" "600" "mock_requests_total"
ACH=$(jq_py "$S" 'j["rate"]["achieved"]')
fcmp "abs($ACH - 200) <= 2" || fail "achieved $ACH/s, target 200/s (1%)"
# Three whole intervals, plus the drain's remainder (requests sent just before the end finish after it).
LINES=$(wc -l <"$TMP/a.jsonl" | tr -d ' ')
fcmp "3 <= $LINES <= 4" || fail "JSONL has $LINES lines for a 3 s run"
expect_eq "$(python3 -c "import json,sys; print(sum(json.loads(l)['requests'] for l in open(sys.argv[1])))" \
    "$TMP/a.jsonl")" "600" "JSONL requests sum"
P50=$(jq_py "$S" 'j["latency_ms"]["p50"]')
P99=$(jq_py "$S" 'j["latency_ms"]["p99"]')
P90=$(jq_py "$S" 'j["latency_ms"]["p90"]')
# ttft + 4 * itl = 70 ms; the histogram's precision is about 1%. Nothing may be measured below the plan and the
# median must sit on it. Above the median every stall of a busy machine adds real waiting (the suite passes
# loaded, beside other work: seen at 151 ms with two other test suites on the two cores), so p90 and p99 only
# have to stay near the plan; p99's allowance (320 ms in release) grows with the square of the time scale (a
# slower build also queues at a fixed rate).
fcmp "69.0 <= $P50 <= 70 + $TOL" || fail "latency p50 $P50 ms, configured 70 ms"
fcmp "69.0 <= $P90 <= 70 + 5 * $TOL" || fail "latency p90 $P90 ms, configured 70 ms"
fcmp "69.0 <= $P99 <= 70 + 50 * $TOL * $SCALE" || fail "latency p99 $P99 ms, configured 70 ms"
expect_eq "$(jq_py "$S" 'round(j["overhead_ms"]["mock_service"]["p50"])')" "70" "x-mock-service-ms p50"
expect_eq "$(jq_py "$S" 'j["tokens"]["total"]')" "3000" "completion tokens (usage)"
expect_eq "$(jq_py "$S" 'j["run"]["seed"]')" "1" "seed in the summary"
pass "non-stream: 600/600 accounted, achieved ${ACH}/s, latency p50 ${P50} ms p99 ${P99} ms"

# ---- streams, two models cycling ----
run_soak load --url "$URL" --rate 100/s --duration 2s --stream --model m-a --model m-b --quiet --json "$TMP/b.json"
expect_eq "$RC" "0" "exit status (stream)"
S="$TMP/b.json"
expect_eq "$(jq_py "$S" 'j["requests"]["ok"]')" "200" "stream requests ok"
expect_eq "$(jq_py "$S" 'j["itl_ms"]["count"]')" "800" "inter-token gaps (4 per 5-token stream)"
TTFT=$(jq_py "$S" 'j["ttft_ms"]["p50"]')
ITL=$(jq_py "$S" 'j["itl_ms"]["p50"]')
TTLT=$(jq_py "$S" 'j["ttlt_ms"]["p50"]')
fcmp "29.5 <= $TTFT <= 30 + $TOL" || fail "ttft p50 $TTFT ms, configured 30 ms"
fcmp "9.5 <= $ITL <= 10 + $TOL" || fail "itl p50 $ITL ms, configured 10 ms"
fcmp "69.0 <= $TTLT <= 70 + $TOL" || fail "ttlt p50 $TTLT ms, configured 70 ms"
BASE=${URL%/v1}
A=$(curl -s "$BASE/metrics" | awk '/^mock_requests_total\{/ && /model="m-a"/ { s += $NF } END { print s + 0 }')
B=$(curl -s "$BASE/metrics" | awk '/^mock_requests_total\{/ && /model="m-b"/ { s += $NF } END { print s + 0 }')
expect_eq "$A $B" "100 100" "requests per model (cycled)"
pass "stream: ttft p50 ${TTFT} ms, itl p50 ${ITL} ms, ttlt p50 ${TTLT} ms, models 100/100"
