#!/usr/bin/env bash
# tests/integration/soak_verdict_test.sh — exit codes: 0 when every expectation passes, 1 when one fails or
# nothing succeeds (an unreachable target is measured as connect_refused, not a usage error), 2 with a clear
# message for bad flags and configs; --check validates every scenario in configs/; reports land in the
# report directory.
source "$(dirname "$0")/soak_lib.sh"

start_mock "
mock:
  threads: 1
  deployments:
    - name: v
      latency: {ttft: 5ms}
      output_tokens: fixed(3)
"
URL=$(url_of v)

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
