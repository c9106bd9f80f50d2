#!/usr/bin/env bash
# tests/integration/soak_sweep_test.sh — `soak sweep` against a mock of known range: a deployment serving at
# most 8 requests at once, each in exactly 100 ms, answers one user at 1 / 0.1 s = 10/s (the synchronous rate)
# and a crowd at 8 / 0.1 s = 80/s (the throughput rate). Two constant rates follow, 45/s and 80/s. Then the
# reports (table, JSON, each run's JSON and HTML under --probe-reports). Labelled `accuracy` (the release tree
# only); a sweep with nothing to sweep runs under ASan in soak_capacity_gate_test.sh.
source "$(dirname "$0")/soak_lib.sh"

start_capacity_mock 8 100ms
URL=$(url_of cap)

start=$(date +%s.%N)
run_soak sweep --url "$URL" --rates 2 --saturation-users 32 --probe-duration 3s --probe-warmup 1s \
    --json "$TMP/sweep.json" --probe-reports "$TMP/runs"
secs=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
expect_eq "$RC" "0" "exit status of a sweep ($(tail -3 "$TMP/soak.err"))"
read -r SYNC MAX <<<"$(jq_py "$TMP/sweep.json" '"%s %s" % (j["sweep"]["synchronous_rate"], j["sweep"]["max_rate"])')"
fcmp "abs($SYNC - 10) <= 1" || fail "synchronous rate $SYNC/s, analytic 10/s"
fcmp "abs($MAX - 80) <= 4" || fail "throughput rate $MAX/s, analytic 80/s"
expect_eq "$(jq_py "$TMP/sweep.json" '[(r["kind"], r["users"]) for r in j["runs"]]')" \
    "[('synchronous', 1), ('throughput', 32), ('rate', 0), ('rate', 0)]" "the runs in order"
expect_eq "$(jq_py "$TMP/sweep.json" 'j["runs"][3]["rate"] == j["sweep"]["max_rate"]')" "True" "the last rate is the max"
fcmp "abs($(jq_py "$TMP/sweep.json" 'j["runs"][2]["rate"]') - ($SYNC + $MAX) / 2) < 1e-6" || fail "the middle rate"
expect_eq "$(jq_py "$TMP/sweep.json" 'all(abs(r["achieved"] - r["rate"]) <= 0.05 * r["rate"] for r in j["runs"][2:])')" \
    "True" "constant rates achieved"
expect_contains "$(cat "$TMP/soak.out")" "Range: synchronous" "table's range line"
expect_contains "$(cat "$TMP/soak.out")" "max      32 users" "table's throughput row"
for n in 001 002 003 004; do
    [ -s "$TMP/runs/probe-$n-1.json" ] && [ -s "$TMP/runs/probe-$n-1.html" ] || fail "run $n: no JSON or HTML report"
done
expect_contains "$(head -c 300 "$TMP/runs/probe-001-1.html")" "<!DOCTYPE html>" "a run's HTML report"
pass "sync $SYNC/s (10 analytic), max $MAX/s (80 analytic), 4 runs in ${secs}s, each with its JSON and HTML"
