#!/usr/bin/env bash
# tests/integration/soak_warmup_count_test.sh — a warm-up by count (--warmup 40req): exactly the schedule's
# first 40 requests are kept out of the totals and reported apart (table, JSON, JSONL marks), the rates are
# over the time after them; a target whose first 10 answers are errors passes with --warmup 10req and fails
# without; a count cool-down is refused with the flag named.
source "$(dirname "$0")/soak_lib.sh"

start_mock "
mock:
  threads: 1
  deployments:
    - name: fast
      latency: {ttft: 2ms}
      output_tokens: fixed(2)
    - name: cold-a
      latency: {ttft: 2ms}
      output_tokens: fixed(2)
      faults:
        - {kind: http_error, status: 500, first: 10}
    - name: cold-b
      latency: {ttft: 2ms}
      output_tokens: fixed(2)
      faults:
        - {kind: http_error, status: 500, first: 10}
"
FAST=$(url_of fast)

# ---- 150 arrivals over 2 threads, the first 40 excluded ----
run_soak load --url "$FAST" --rate 50/s --threads 2 --duration 3s --warmup 40req --json "$TMP/w.json" \
    --jsonl "$TMP/w.jsonl" --junit "$TMP/w.xml" --html "$TMP/w.html"
expect_eq "$RC" "0" "exit status"
expect_contains "$(cat "$TMP/w.xml")" '<property name="warmup.requests_excluded" value="40"/>' "JUnit warm-up property"
expect_contains "$(cat "$TMP/w.xml")" '<property name="warmup.completed" value="40"/>' "JUnit warm-up completed"
expect_eq "$(grep -c '<properties>' "$TMP/w.xml")" "1" "one <properties> element"
expect_contains "$(cat "$TMP/w.html")" '<h2>Warm-up</h2><table id="warmup">' "HTML warm-up table"
expect_contains "$(cat "$TMP/w.html")" '<td>first 40 requests</td>' "HTML warm-up count"
expect_eq "$(jq_py "$TMP/w.json" 'j["warmup"]["requests_excluded"]')" "40" "warm-up count"
expect_eq "$(jq_py "$TMP/w.json" 'j["warmup"]["requests"]["sent"]')" "40" "warm-up requests sent"
expect_eq "$(jq_py "$TMP/w.json" 'j["warmup"]["requests"]["total"]')" "40" "warm-up requests completed"
expect_eq "$(jq_py "$TMP/w.json" 'j["requests"]["sent"]')" "110" "requests judged: 150 - 40"
expect_eq "$(jq_py "$TMP/w.json" 'j["requests"]["total"]')" "110" "outcomes judged"
expect_eq "$(jq_py "$TMP/w.json" '"phases" in j')" "False" "a count makes no phase"
# the last warm-up arrival is the 40th of 50/s: planned at 0.78 s
expect_eq "$(jq_py "$TMP/w.json" '0.7 < j["warmup"]["ended_s"] < 0.78 + '"$(scaled 0.2)")" "True" "warm-up ended"
expect_eq "$(jq_py "$TMP/w.json" 'abs(j["rate"]["offered"] - 50) < 5')" "True" "rate over the time after the warm-up"
expect_eq "$(python3 -c "import json,sys
ls=[json.loads(l) for l in open(sys.argv[1])]
print(sum(l.get('warmup',{}).get('sent',0) for l in ls), sum(l['sent'] for l in ls))" "$TMP/w.jsonl")" "40 110" \
    "JSONL: warm-up marked apart"
expect_contains "$(cat "$TMP/soak.out")" "Warm-up    first 40 requests (excluded, ended at" "table line"
pass "--warmup 40req: 40 excluded, 110 judged"

# ---- a cold start: the first 10 answers are 500s ----
# (one deployment per run: the mock counts its first 10 requests once)
run_soak load --url "$(url_of cold-a)" --rate 20/s --duration 2s --expect 'failure_rate<=1%' --quiet \
    --json "$TMP/cold1.json"
expect_eq "$RC" "1" "without a warm-up the cold start fails the run"
expect_eq "$(jq_py "$TMP/cold1.json" 'j["requests"]["failed"]')" "10" "the cold start's failures"
run_soak load --url "$(url_of cold-b)" --rate 20/s --duration 2s --expect 'failure_rate<=1%' --quiet \
    --json "$TMP/cold2.json" --warmup 10req
expect_eq "$RC" "0" "with --warmup 10req the cold start is left out"
expect_eq "$(jq_py "$TMP/cold2.json" 'j["warmup"]["requests"]["failed"]')" "10" "the cold start, reported apart"
expect_eq "$(jq_py "$TMP/cold2.json" 'j["requests"]["failed"]')" "0" "nothing failed after it"
pass "cold start: fails without a warm-up, passes with --warmup 10req"

# ---- errors name the flag ----
run_soak load --url "$FAST" --rate 20/s --duration 1s --cooldown 10req
expect_eq "$RC" "2" "a count cool-down"
expect_contains "$(cat "$TMP/soak.err")" '--cooldown: "10req": a cool-down is a duration or a share of the run' \
    "count cool-down refused"
run_soak load --url "$FAST" --rate 20/s --duration 1s --warmup 0req
expect_eq "$RC" "2" "a zero warm-up"
expect_contains "$(cat "$TMP/soak.err")" '--warmup: "0req": a warm-up count is 1req to 1000000000req' "zero refused"
pass "count cool-down and 0req refused"
