#!/usr/bin/env bash
# tests/integration/soak_find_test.sh — `soak find` against a mock whose capacity is known analytically: a
# deployment serving at most 40 requests at once, each in exactly 500 ms, with a deep queue, answers at most
# 40 / 0.5 s = 80 requests per second; below that, constant arrivals never queue (latency stays 500 ms), above
# it the queue and the latency grow through the probe. The knee of any latency percentile under a bound above
# 500 ms is therefore 80/s, and the search must find it within 5%.
# Why these numbers: on a loaded 2-core machine the mock wakes a few ms late, and every ms late is a ms more per
# request in a slot: with 100 ms requests a 10 ms delay cuts the capacity by 9%, with 500 ms by 2%. The median
# is bounded rather than p99, since one stall of the host can push a p99 over a hundred samples past its bound
# at any rate: a fact about the host, not about the search.
# Then a probe that stops early when it drops arrivals. Labelled `accuracy`: the release tree only, where the
# timing is the build users run; the gate, the search's other ends and the usage errors run under ASan in
# soak_capacity_gate_test.sh.
source "$(dirname "$0")/soak_lib.sh"

KNEE=80
start_capacity_mock 40 500ms
URL=$(url_of cap)

# A scenario file with a report directory: a probe must not write it.
cat >"$TMP/find.yaml" <<EOF
name: find-cap
load:
  target: $URL
  requests: [{api: openai.chat, model: gpt-4o-mini, max_tokens: 1}]
report: {dir: "$TMP/reports"}
EOF

# 1. The knee: from 50/s, 100/s fails, then bisection down to 5%: about six probes of 3 s (1 s warm-up).
start=$(date +%s.%N)
run_soak find --config "$TMP/find.yaml" --slo 'latency.p50<550ms' --start-rate 50/s --probe-duration 3s \
    --probe-warmup 1s --require 70/s --json "$TMP/find.json"
secs=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
expect_eq "$RC" "0" "exit status of a knee above --require ($(tail -3 "$TMP/soak.err"))"
FOUND=$(jq_py "$TMP/find.json" 'j["knee"]["rate"]')
fcmp "abs($FOUND - $KNEE) <= 0.05 * $KNEE" || fail "knee $FOUND/s, analytic $KNEE/s: more than 5% apart"
read -r LO HI END <<<"$(jq_py "$TMP/find.json" '" ".join(str(x) for x in j["knee"]["ci"] + [j["knee"]["end"]])')"
expect_eq "$END" "converged" "knee.end"
fcmp "$LO == $FOUND and $HI > $LO and ($HI - $LO) <= 0.05 * $HI" || fail "knee.ci [$LO, $HI) for knee $FOUND"
expect_eq "$(jq_py "$TMP/find.json" 'j["require"]')" "{'rate': 70, 'pass': True}" "require in JSON"
expect_eq "$(jq_py "$TMP/find.json" '[s["metric"] for s in j["slos"]]')" "['latency.p50', 'failure_rate']" \
    "the SLO and the default failure_rate"
# every probe: passes below the knee and fails above it, each with its measurements
expect_eq "$(jq_py "$TMP/find.json" 'all(p["pass"] == (p["rate"] <= '$KNEE') or abs(p["rate"] - '$KNEE') < 4 for p in j["probes"])')" \
    "True" "probes pass below the knee and fail above it"
expect_eq "$(jq_py "$TMP/find.json" 'all(p["requests"] > 0 and p["latency_p99_ms"] > 0 for p in j["probes"])')" "True" \
    "probe measurements"
expect_eq "$(jq_py "$TMP/find.json" '(j["probes"][1]["rate"], j["probes"][1]["pass"], j["probes"][1]["saturated"])')" \
    "(100, False, True)" "100/s is over-saturated (80/s achieved)"
expect_contains "$(cat "$TMP/soak.out")" "Knee: $(jq_py "$TMP/find.json" '"%.6g" % j["knee"]["rate"]')/s, in [" "table's knee line"
expect_contains "$(cat "$TMP/soak.out")" "Gate: knee >= 70/s: pass" "table's gate line"
[ ! -e "$TMP/reports" ] || fail "a probe wrote the scenario's report directory"
pass "knee $FOUND/s in [$LO, $HI), analytic $KNEE/s, $(jq_py "$TMP/find.json" 'len(j["probes"])') probes in ${secs}s"

# 2. A probe that drops arrivals at the in-flight cap after its warm-up stops there: 160/s at a target of 80/s
# with at most 60 in flight drops from its first second on, so the 6 s probe ends after its first measured
# interval.
run_soak find --url "$URL" --slo 'latency.p50<550ms' --start-rate 160/s --min-rate 160/s --max-inflight 60 \
    --probe-duration 6s --probe-warmup 1s --json "$TMP/early.json"
expect_eq "$RC" "1" "exit status when the only rate is over-saturated"
read -r DUR SAT WHY <<<"$(jq_py "$TMP/early.json" '"%s %s %s" % (j["probes"][0]["duration_s"], j["probes"][0]["saturated"], j["probes"][0]["why"])')"
expect_eq "$SAT" "True" "saturated"
expect_contains "$WHY" "arrivals dropped at the in-flight cap, stopped early" "why"
fcmp "$DUR < 4" || fail "the probe ran ${DUR}s of 6s"
pass "a probe dropping arrivals stops early: ${DUR}s of 6s"

