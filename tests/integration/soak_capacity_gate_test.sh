#!/usr/bin/env bash
# tests/integration/soak_capacity_gate_test.sh — what `soak find` and `soak sweep` decide around the search,
# against the mock of known capacity (40 slots x 500 ms: 80/s at most; soak_find_test.sh finds that knee): the
# gate's exit statuses (1 below --require, 2 for a bad flag), the bracket when the probe budget ends the search,
# each probe's summary under --probe-reports, a first rate that already fails down to --min-rate, a sweep
# with nothing to sweep, a search over users, a scenario whose load is a sweep under soak run, and what is refused
# of a scenario whose load is the knee search (the knee over users, a sweep scenario's range and a search scenario's
# knee are checked against analytic answers in soak_capacity_scenario_test).
# No bound here is close to the target's capacity (50/s against 80/s, 10/s against a p99 of 50 ms with 500 ms
# answers, 4 users against 40 slots), so it holds on a loaded machine and under ASan, beside other tests.
source "$(dirname "$0")/soak_lib.sh"

start_capacity_mock 40 500ms
URL=$(url_of cap)

# 1. The gate below: the knee (80/s) does not reach 200/s. Two probes (50/s passes, 100/s fails) bound the search.
run_soak find --url "$URL" --slo 'latency.p50<550ms' --start-rate 50/s --probe-duration 2s --probe-warmup 1s \
    --max-probes 2 --require 200/s --json "$TMP/gate.json" --probe-reports "$TMP/probes"
expect_eq "$RC" "1" "exit status of a knee below --require"
expect_eq "$(jq_py "$TMP/gate.json" '(j["knee"]["rate"], j["knee"]["ci"], j["knee"]["end"], j["verdict"])')" \
    "(50, [50, 100], 'max-probes', 'fail')" "knee, bracket and end when the budget ends the search"
expect_contains "$(cat "$TMP/soak.out")" "Gate: knee >= 200/s: FAIL" "table's gate line"
[ -s "$TMP/probes/probe-001-1.json" ] && [ -s "$TMP/probes/probe-002-1.json" ] || fail "--probe-reports wrote no summary"
[ -s "$TMP/probes/probe-001-1.html" ] && [ -s "$TMP/probes/find.html" ] || fail "--probe-reports wrote no page"
expect_contains "$(cat "$TMP/soak.out")" "report: $TMP/probes/find.html" "the page named on stdout"
expect_eq "$(jq_py "$TMP/probes/probe-001-1.json" 'j["run"]["target_rate"]')" "50.0" "a probe's own summary"
pass "knee 50/s below --require 200/s exits 1; --probe-reports keeps each probe's summary and the page"

# 2. The first rate already fails and so does every rate down to --min-rate: no knee, exit 1.
run_soak find --url "$URL" --slo 'latency.p99<50ms' --start-rate 10/s --min-rate 10/s --probe-duration 2s \
    --probe-warmup 1s --json "$TMP/none.json"
expect_eq "$RC" "1" "exit status when no rate passes"
expect_eq "$(jq_py "$TMP/none.json" '(j["knee"]["rate"], j["knee"]["end"], len(j["probes"]))')" \
    "(None, 'below-min-rate', 1)" "no knee"
expect_match "$(jq_py "$TMP/none.json" 'j["probes"][0]["why"]')" '^latency\.p99 [0-9.]+ms \(< 50ms\)$' \
    "why the probe failed"
expect_contains "$(cat "$TMP/soak.out")" "Knee: none found" "table's knee line"
pass "a first rate that fails, down to --min-rate: no knee, exit 1"

# 3. Nothing answers: neither of a sweep's closed loops has a success, there is no range to sweep: exit 1 after
# those two runs.
PORT=$(free_port)
run_soak sweep --url "http://127.0.0.1:$PORT/v1" --rates 2 --saturation-users 2 --probe-duration 2s \
    --probe-warmup 1s --settle 0s --json "$TMP/none.json"
expect_eq "$RC" "1" "exit status with nothing to sweep"
expect_contains "$(cat "$TMP/soak.err")" "the synchronous run had no success" "why"
expect_eq "$(jq_py "$TMP/none.json" '(j["sweep"]["synchronous_rate"], j["sweep"]["complete"], len(j["runs"]))')" \
    "(None, False, 2)" "JSON of a sweep with no range"
pass "an unreachable target: no range to sweep, exit 1"

# 4. A knee over closed-loop users, one probe: 4 users against 40 slots pass any loose bound; the gate in users.
run_soak find --url "$URL" --over users --slo 'latency.mean<5s' --start-users 4 --max-probes 1 --probe-duration 2s \
    --probe-warmup 1s --require 4users --json "$TMP/users.json"
expect_eq "$RC" "0" "exit status of a users probe meeting --require 4users ($(tail -3 "$TMP/soak.err"))"
expect_eq "$(jq_py "$TMP/users.json" '(j["over"], j["knee"]["users"], [p["users"] for p in j["probes"]], j["require"]["pass"])')" \
    "('users', 4, [4], True)" "over users: knee, probes and gate"
pass "soak find --over users: one probe of 4 users, the gate in users"

# 5. A scenario whose load is a sweep, under soak run: its own mock (8 slots x 100 ms), three runs of 2 s, the
# sweep's JSON, each run's JSON and HTML and the sweep page in its report directory, its mock stopped after.
export SOAK_MOCK_PROVIDER=$MOCK_PROVIDER
cat >"$TMP/sweep.yaml" <<EOF
name: gate-sweep
seed: 5
mock:
  threads: 1
  deployments:
    - name: cap
      listen: 127.0.0.1:0
      limits: {concurrency: 8, queue: 10000}
      latency: {ttft: 100ms, itl: 0ms}
      output_tokens: fixed(1)
load:
  target: "{{deployments.cap.url}}"
  arrival:
    sweep: {rates: 1, saturation_users: 4, probe_duration: 2s, probe_warmup: 1s, settle: 0s}
report: {dir: "$TMP/rep"}
EOF
run_soak run "$TMP/sweep.yaml"
expect_eq "$RC" "0" "exit status of a sweep scenario ($(tail -5 "$TMP/soak.err"))"
expect_eq "$(jq_py "$TMP/rep/sweep.json" '[r["kind"] for r in j["runs"]]')" "['synchronous', 'throughput', 'rate']" \
    "the sweep's runs"
for n in 001 002 003; do
    [ -s "$TMP/rep/probe-$n-1.json" ] && [ -s "$TMP/rep/probe-$n-1.html" ] || fail "run $n: no JSON or HTML report"
done
expect_eq "$(grep -c '<svg ' "$TMP/rep/sweep.html")" "3" "a chart per run on the sweep page"
pid=$(sed -n 's/^soak run: started .* (pid \([0-9]*\),.*/\1/p' "$TMP/soak.err")
[ -n "$pid" ] || fail "soak run named no process it started"
! kill -0 "$pid" 2>/dev/null || { kill -KILL "$pid"; fail "the scenario's mock ($pid) still runs after soak run"; }
pass "a sweep scenario under soak run: three runs, their reports and the page; its mock stopped"

# 6. Usage errors exit 2 and name the flag, before any probe runs.
check_usage() { # want-substring args...
    local want=$1
    shift
    run_soak find "$@"
    expect_eq "$RC" "2" "exit status of: soak find $*"
    expect_contains "$(cat "$TMP/soak.err")" "$want" "message of: soak find $*"
}
check_usage '--rate: not for soak find: the search sets each probe' --url "$URL" --rate 10/s
check_usage '--slo "ttft<500ms": a probe is judged on its aggregate metrics' --url "$URL" --slo 'ttft<500ms'
check_usage '--slo "latency.p99=1": ' --url "$URL" --slo 'latency.p99=1'
check_usage '--precision "80%": expected 0.1% to 50%' --url "$URL" --precision 80%
check_usage '--repeats "0": expected a whole number from 1 to 20' --url "$URL" --repeats 0
check_usage '--probe-duration must exceed --probe-warmup by at least 1s' --url "$URL" --probe-duration 2s
check_usage '--api "nope": unknown api' --url "$URL" --api nope
check_usage 'unknown option "--bogus"' --url "$URL" --bogus
check_usage '--start-rate 500/s is above --max-rate 100/s' --url "$URL" --start-rate 500/s --max-rate 100/s
pass "usage errors exit 2 with the flag and the value"

# 7. A scenario whose load is the knee search (load.arrival: {find: ...}; soak_capacity_scenario_test runs one):
# a key of the other axis refused at its place by soak run --check, and the file refused by soak find --config.
cat >"$TMP/find.yaml" <<EOF2
load:
  target: $URL
  arrival:
    find: {over: users, start_rate: 10/s}
EOF2
run_soak run --check "$TMP/find.yaml"
expect_eq "$RC" "2" "exit status of a rate key in a search over users"
expect_contains "$(cat "$TMP/soak.err")" \
    "find.yaml:4:37: load.arrival.find: start_rate: the search is over users (over: users): give start_users" \
    "the key's place and the one that belongs"
sed -i 's/start_rate: 10\/s/start_users: 4/' "$TMP/find.yaml"
run_soak run --check "$TMP/find.yaml"
expect_eq "$RC" "0" "--check of a search scenario ($(cat "$TMP/soak.err"))"
run_soak find --config "$TMP/find.yaml" --url "$URL"
expect_eq "$RC" "2" "soak find --config of a search scenario"
expect_contains "$(cat "$TMP/soak.err")" "the file's load.arrival is a knee search, which \`soak run FILE\` runs" "why"
pass "a search scenario: a bad key at its place, and soak find --config refusing the file"
