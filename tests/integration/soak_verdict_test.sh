#!/usr/bin/env bash
# tests/integration/soak_verdict_test.sh — exit codes: 0 when every expectation passes, 1 when one fails or
# nothing succeeds (an unreachable target is measured as connect_refused, not a usage error), 2 with a clear
# message for bad flags and configs; a run without expectations is judged by the default failure_rate <= 1%,
# which counts arrivals dropped at the in-flight cap and requests aborted at the end; --check validates every
# scenario in configs/; reports land in the report directory.
source "$(dirname "$0")/soak_lib.sh"

start_mock "
mock:
  threads: 1
  deployments:
    - name: v
      latency: {ttft: 5ms}
      output_tokens: fixed(3)
    - name: slow
      latency: {ttft: 300ms}
      output_tokens: fixed(1)
"
URL=$(url_of v)
SLOW=$(url_of slow)

run_soak load --url "$URL" --rate 50/s --duration 1s --quiet --expect 'latency.p99<2s' --expect 'failure_rate<=1%' \
    --junit "$TMP/pass.xml"
expect_eq "$RC" "0" "exit status with passing expectations"
expect_contains "$(cat "$TMP/soak.out")" "Verdict: PASS" "table verdict"
expect_contains "$(cat "$TMP/pass.xml")" "<testsuite" "JUnit file"
pass "passing expectations exit 0"

run_soak load --url "$URL" --rate 50/s --duration 1s --quiet --expect 'latency.p50<1ms' --json "$TMP/fail.json"
expect_eq "$RC" "1" "exit status with a failing expectation"
expect_eq "$(jq_py "$TMP/fail.json" 'j["expectations"][0]["result"]')" "fail" "expectation result in JSON"
pass "failing expectation exits 1"

# No expectation given: the default verdict, failure_rate <= 1%, marked as the default everywhere.
run_soak load --url "$URL" --rate 50/s --duration 1s --quiet --json "$TMP/dflt.json" --junit "$TMP/dflt.xml"
expect_eq "$RC" "0" "exit status with the default verdict"
expect_eq "$(jq_py "$TMP/dflt.json" '[(e["metric"], e["bound"], e["default"]) for e in j["expectations"]]')" \
    "[('failure_rate', '<= 1%', True)]" "default expectation in JSON"
expect_contains "$(cat "$TMP/soak.out")" "<= 1% (default)" "default expectation in the table"
expect_contains "$(cat "$TMP/dflt.xml")" 'name="failure_rate &lt;= 1% (default)"' "default expectation in JUnit"
pass "no expectation: judged by the default failure_rate <= 1%"

# Overload: 100 arrivals in 1 s at a target that takes 300 ms, at most 10 in flight and no drain. Most
# arrivals are dropped at the cap and the last ones aborted; the few that are answered all succeed. Those
# are offered load that did not succeed, so the default verdict fails the run.
run_soak load --url "$SLOW" --rate 100/s --duration 1s --max-inflight 10 --drain 0s --quiet \
    --json "$TMP/over.json" --junit "$TMP/over.xml"
expect_eq "$RC" "1" "exit status of an overloaded run without expectations"
read -r OK FAILED ABORTED DROPPED OFFERED UNSUCC <<<"$(jq_py "$TMP/over.json" \
    '" ".join(str(j["requests"][k]) for k in ("ok", "failed", "aborted", "dropped", "offered", "unsuccessful"))')"
fcmp "$OK > 0 and $DROPPED > 0 and $ABORTED > 0" || fail "ok $OK, dropped $DROPPED, aborted $ABORTED"
expect_eq "$OFFERED" "100" "offered: every arrival is answered, aborted or dropped"
expect_eq "$UNSUCC" "$((FAILED + ABORTED + DROPPED))" "unsuccessful = failed + aborted + dropped"
expect_eq "$(jq_py "$TMP/over.json" 'j["errors"].get("dropped", 0)')" "$DROPPED" "errors.dropped"
expect_eq "$(jq_py "$TMP/over.json" 'j["errors"].get("client_closed", 0)')" "$ABORTED" "errors.client_closed"
expect_eq "$(jq_py "$TMP/over.json" 'round(j["expectations"][0]["measured"], 6)')" \
    "$(python3 -c "print(round($UNSUCC / $OFFERED, 6))")" "failure_rate over the offered load"
expect_contains "$(cat "$TMP/over.xml")" "dropped $DROPPED of 100 offered" "JUnit says what failed"
expect_contains "$(cat "$TMP/soak.out")" "dropped $DROPPED" "table error classes"
expect_contains "$(cat "$TMP/soak.err")" "soak: first dropped at" "first dropped line"
pass "overload fails the default verdict: $OK ok, $DROPPED dropped, $ABORTED aborted of 100"

# Judging the outcomes alone is an explicit choice: ignore the dropped and aborted requests.
cat >"$TMP/over.yaml" <<EOF
load:
  target: $SLOW
  arrival: {constant: 100/s}
  max_inflight: 10
  drain: 0s
duration: 1s
expect:
  - {metric: failure_rate, max: 1%, ignore: [dropped, aborted]}
  - {metric: dropped, min: 1}
EOF
run_soak load --config "$TMP/over.yaml" --quiet --json "$TMP/over2.json"
expect_eq "$RC" "0" "exit status with ignore: [dropped, aborted] ($(cat "$TMP/soak.err"))"
expect_eq "$(jq_py "$TMP/over2.json" 'j["expectations"][0]["measured"] == 0')" "True" "outcomes alone all succeeded"
# expect: [] says "no expectations" on purpose: only "at least one request succeeded" remains.
printf 'load: {target: "%s", arrival: {constant: 100/s}, max_inflight: 10, drain: 0s}\nduration: 1s\nexpect: []\n' \
    "$SLOW" >"$TMP/none.yaml"
run_soak load --config "$TMP/none.yaml" --quiet --json "$TMP/none.json"
expect_eq "$RC" "0" "exit status with expect: []"
expect_eq "$(jq_py "$TMP/none.json" 'len(j["expectations"])')" "0" "no expectations"
pass "ignore: [dropped, aborted] and expect: [] opt out explicitly"

# Nothing listens on this port: every request is connect_refused; that is a measurement, not a usage error.
PORT=$(free_port)
run_soak load --url "http://127.0.0.1:$PORT/v1" --rate 20/s --duration 1s --quiet --json "$TMP/refused.json"
expect_eq "$RC" "1" "exit status when the target refuses"
expect_eq "$(jq_py "$TMP/refused.json" 'j["errors"].get("connect_refused", 0)')" "20" "connect_refused count"
expect_contains "$(cat "$TMP/soak.err")" "soak: first connect_refused at" "first error line"
pass "refused target: 20 connect_refused, exit 1"

# Bad flags: exit 2 and a message naming the flag and the value.
check_usage() { # want-substring args...
    local want=$1
    shift
    run_soak "$@"
    expect_eq "$RC" "2" "exit status of: soak $*"
    expect_contains "$(cat "$TMP/soak.err")" "$want" "message of: soak $*"
}
check_usage '--rate "fast": ' load --url "$URL" --rate fast
check_usage '--threads "0": expected a whole number from 1 to 256' load --url "$URL" --rate 1/s --threads 0
check_usage 'unknown option "--bogus"' load --url "$URL" --rate 1/s --bogus
check_usage '--expect "latency.p99=~1": ' load --url "$URL" --rate 1/s --expect 'latency.p99=~1'
check_usage 'no arrival: pass --rate R or --users N' load --url "$URL"
check_usage 'unknown command "lod"' lod
printf 'load:\n  arrival: {constant: 1/s}\n  requests:\n    - {api: openai.chat, strem: true}\n' >"$TMP/bad.yaml"
check_usage "$TMP/bad.yaml:4:26: load.requests[0]: unknown key \"strem\" (did you mean \"stream\"?" \
    load --check --config "$TMP/bad.yaml"
pass "bad flags and configs exit 2 with the flag, value or file:line:col"

run_soak --version
expect_eq "$RC" "0" "--version"
expect_contains "$(cat "$TMP/soak.out")" "soak 0." "--version output"
run_soak help load
expect_eq "$RC" "0" "help load"
expect_contains "$(cat "$TMP/soak.out")" "--max-inflight N" "help load output"

# Every shipped scenario validates.
for f in "${SOAK_SOURCE_DIR:-$(dirname "$0")/../..}"/configs/*.yaml; do
    [ -e "$f" ] || continue
    run_soak load --check --config "$f"
    expect_eq "$RC" "0" "soak load --check --config $f: $(cat "$TMP/soak.err")"
done
pass "--check accepts every file in configs/"

# Report directory from a scenario file, templated by name and seed.
cat >"$TMP/scenario.yaml" <<EOF
name: dir-test
seed: 7
duration: 1s
load:
  target: $URL
  arrival: {constant: 20/s}
expect:
  - {metric: requests.ok, min: 20}
report: {dir: "$TMP/reports/{{name}}-{{seed}}", formats: [json, jsonl, junit]}
EOF
run_soak load --config "$TMP/scenario.yaml" --quiet
expect_eq "$RC" "0" "exit status of the scenario run"
for f in summary.json series.jsonl junit.xml; do
    [ -s "$TMP/reports/dir-test-7/$f" ] || fail "report $f missing in $TMP/reports/dir-test-7"
done
expect_eq "$(jq_py "$TMP/reports/dir-test-7/summary.json" 'j["run"]["scenario"]')" "dir-test" "scenario name"
pass "report directory written"
