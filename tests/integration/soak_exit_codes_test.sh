#!/usr/bin/env bash
# tests/integration/soak_exit_codes_test.sh — exit statuses per failed class, on request only: the default
# stays 0/1/2; --exit-codes detailed gives 10 for latency, 12 for throughput, 13 for goodput, 17 when nothing
# succeeded, the first failed expectation in order deciding; an expectation's own exit_code wins without the
# detailed mode; report.exit_codes in a file and `soak run --exit-codes` do the same. A report that cannot be
# written is 2, and the other reports are still written.
source "$(dirname "$0")/soak_lib.sh"
export SOAK_MOCK_PROVIDER=$MOCK_PROVIDER

start_mock "
mock:
  threads: 1
  deployments:
    - name: slow
      latency: {ttft: 5ms}
      output_tokens: fixed(2)
"
SLOW=$(url_of slow)
LOAD=(load --url "$SLOW" --rate 20/s --duration 1s --quiet)

run_soak "${LOAD[@]}" --expect 'latency.p99<1ms'
expect_eq "$RC" "1" "a latency failure in the default mode"
run_soak "${LOAD[@]}" --expect 'latency.p99<1ms' --exit-codes detailed
expect_eq "$RC" "10" "a latency failure, detailed"
expect_contains "$(cat "$TMP/soak.err")" 'soak: exit status 10 (docs/expectations.md "Exit codes")' "stderr names it"
run_soak "${LOAD[@]}" --expect 'rate.achieved>=1000/s' --expect 'latency.p99<1ms' --exit-codes detailed
expect_eq "$RC" "12" "throughput first in order"
run_soak "${LOAD[@]}" --slo 'e2e<1ms' --expect 'goodput.attainment>=99%' --exit-codes detailed
expect_eq "$RC" "13" "goodput"
run_soak "${LOAD[@]}" --expect 'latency.p99<1s' --exit-codes detailed
expect_eq "$RC" "0" "a pass, detailed"
CLOSED=$(free_port)
run_soak load --url "http://127.0.0.1:$CLOSED/v1" --rate 20/s --duration 1s --quiet --expect 'latency.p99<1ms' \
    --exit-codes detailed
expect_eq "$RC" "17" "nothing succeeded"
run_soak "${LOAD[@]}" --exit-codes sometimes
expect_eq "$RC" "2" "a bad --exit-codes"
expect_contains "$(cat "$TMP/soak.err")" '--exit-codes "sometimes": expected default' "the flag named"
pass "soak load: 1 by default; 10, 12, 13, 17 detailed; 2 for a bad mode"

# A report that cannot be written (a full disk: /dev/full) is exit 2, and every other report is still written.
run_soak "${LOAD[@]}" --json /dev/full --jsonl "$TMP/full.jsonl" --junit "$TMP/full.xml" --html "$TMP/full.html"
expect_eq "$RC" "2" "an unwritable report"
expect_contains "$(cat "$TMP/soak.err")" "soak: /dev/full: No space left on device" "says which"
expect_eq "$(reports_valid "$TMP/full.jsonl" "$TMP/full.xml" "$TMP/full.html")" "ok" "the other reports written"
expect_contains "$(cat "$TMP/soak.err")" "soak: wrote $TMP/full.html" "and named"
pass "soak load: a report that cannot be written is exit 2 and loses no other"

# A file: an expectation's own exit_code, with and without report.exit_codes.
cat >"$TMP/codes.yaml" <<EOF
duration: 1s
load:
  target: $SLOW
  arrival: {constant: 20/s}
expect:
  - {metric: failure_rate, max: 1%}
  - {metric: latency.p99, max: 1ms, exit_code: 40}
EOF
run_soak load --config "$TMP/codes.yaml" --quiet
expect_eq "$RC" "40" "an expectation's own exit_code"
run_soak load --config "$TMP/codes.yaml" --quiet --set 'expect[1].max=1s' --set 'expect[0].max=0%' \
    --set 'report.exit_codes=detailed'
expect_eq "$RC" "0" "passing with report.exit_codes: detailed"
pass "scenario file: exit_code 40"

# soak run passes --exit-codes on to the run.
cat >"$TMP/run.yaml" <<EOF
name: codes
duration: 1s
mock:
  threads: 1
  deployments:
    - {name: a, listen: 127.0.0.1:0, latency: {ttft: fixed(5ms)}, output_tokens: fixed(2)}
load:
  target: "{{deployments.a.url}}"
  arrival: {constant: 20/s}
expect:
  - {metric: latency.p99, max: 1ms}
report: {dir: "$TMP/reports/{{name}}"}
EOF
run_soak run --quiet "$TMP/run.yaml"
expect_eq "$RC" "1" "soak run, default"
run_soak run --quiet --exit-codes detailed "$TMP/run.yaml"
expect_eq "$RC" "10" "soak run --exit-codes detailed"
pass "soak run: 1, then 10 with --exit-codes detailed"
