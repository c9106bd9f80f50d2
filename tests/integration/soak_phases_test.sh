#!/usr/bin/env bash
# tests/integration/soak_phases_test.sh — a run in phases: a warm-up at its own rate kept out of the results
# (but sent, and counted by the mock), a steady phase and a slow phase judged on their own, a change applied at a phase's
# start (`at: slow`), drift between two phases; the JSON summary's phases and its histograms (warm-up left out),
# the JSONL series marked phase by phase, JUnit naming each expectation's scope; a failing phase-scoped
# expectation fails the run; and `soak load --warmup` for the single-run case.
source "$(dirname "$0")/soak_lib.sh"
export SOAK_MOCK_PROVIDER=$MOCK_PROVIDER

cat >"$TMP/phases.yaml" <<EOF
name: phases
seed: 3
mock:
  threads: 1
  deployments:
    - name: a
      provider: openai
      listen: 127.0.0.1:8080
      models: [m]
      latency: {ttft: fixed(5ms)}
      output_tokens: fixed(2)
load:
  target: "{{deployments.a.url}}"
  arrival: {constant: 50/s}
  phases:
    - {name: warm-up, duration: 1s, exclude: true, arrival: {constant: 10/s}}
    - {name: steady, duration: 2s}
    - {name: slow, duration: 2s}
  requests:
    - {api: openai.chat, model: m}
changes:
  - {at: slow, deployment: a, set: {latency: {ttft: fixed(400ms)}}}
expect:
  - {metric: latency.p99, phase: steady, max: 300ms}
  - {metric: latency.p50, phase: slow, min: 350ms}
  - {metric: drift.latency.p50, baseline: steady, window: slow, min: 3}
  - {metric: requests.total, phase: warm-up, min: 9, max: 11}
  - {metric: failure_rate, max: 0%}
report: {dir: "$TMP/reports/{{name}}"}
EOF
R=$TMP/reports/phases
run_soak run --check "$TMP/phases.yaml"
expect_eq "$RC" "0" "--check of a scenario in phases ($(cat "$TMP/soak.err"))"
run_soak run --quiet "$TMP/phases.yaml"
expect_eq "$RC" "0" "a run in phases ($(grep -E 'FAIL' "$TMP/soak.out") $(tail -3 "$TMP/soak.err"))"
expect_eq "$(jq_py "$R/summary.json" '[(p["name"], p["start_s"], p["end_s"], p["excluded"]) for p in j["phases"]]')" \
    "[('warm-up', 0.0, 1.0, True), ('steady', 1.0, 3.0, False), ('slow', 3.0, 5.0, False)]" "phases in the summary"
WARM=$(jq_py "$R/summary.json" 'j["phases"][0]["requests"]["total"]')
ALL=$(jq_py "$R/summary.json" 'j["requests"]["total"]')
STEADY=$(jq_py "$R/summary.json" 'j["phases"][1]["requests"]["total"]')
SLOW=$(jq_py "$R/summary.json" 'j["phases"][2]["requests"]["total"]')
expect_eq "$ALL" "$((STEADY + SLOW))" "the run's totals are its judged phases' (warm-up $WARM excluded)"
fcmp "190 <= $ALL <= 210" || fail "$ALL requests judged in 4 s at 50/s"
expect_eq "$(jq_py "$R/summary.json" 'j["run"]["duration_s"]')" "5.0" "the run lasted all three phases"
expect_eq "$(jq_py "$R/summary.json" 'j["run"]["arrival"]')" "constant 10/s from 0s, constant 50/s from 1s, constant 50/s from 3s" \
    "the warm-up's own arrival, then the load's"
# the mock saw the warm-up too: both sides reconcile on everything sent
expect_eq "$(jq_py "$R/deployments.json" 'j["reconciled"]')" "True" "soak and the mock agree, warm-up included"
expect_eq "$(jq_py "$R/summary.json" '[e["scope"] for e in j["expectations"]]')" \
    "['steady', 'slow', 'slow vs steady', 'warm-up', None]" "each expectation's scope"
SLOW_P50=$(jq_py "$R/summary.json" 'j["phases"][2]["latency_ms"]["p50"]')
fcmp "$SLOW_P50 >= 350" || fail "the change at the slow phase's start: p50 $SLOW_P50 ms"
python3 - "$R/series.jsonl" <<'PY' || fail "the series does not mark its phases"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
phases = [l.get("phase") for l in lines]
assert phases[:1] == ["warm-up"], phases
assert lines[0].get("excluded") is True, lines[0]
assert phases[1:3] == ["steady"] * 2 and phases[3:5] == ["slow"] * 2, phases
assert not any("excluded" in l for l in lines[1:]), "excluded outside the warm-up"
PY
# The exported histograms are the run's less its warm-up: their counts are the summary's, their p50 its p50.
python3 - "$R/summary.json" <<'PY' || fail "the summary's histograms do not match its counts"
import json, math, sys
j = json.load(open(sys.argv[1]))
h = j["histograms"]
assert h["layout"] == {"scheme": "log-linear", "sub_bits": 8, "max": 4294967295, "bucket_count": 3328}, h["layout"]
lat = h["latency"]
assert sum(b[2] for b in lat["buckets"]) == lat["count"] == j["latency_ms"]["count"] == j["requests"]["ok"], lat["count"]
assert h["latency_all"]["count"] == j["requests"]["total"], h["latency_all"]["count"]
rank, seen = math.ceil(0.5 * lat["count"]), 0
for low, high, n in lat["buckets"]:
    seen += n
    if seen >= rank:
        break
p50 = min(max(low + (high - low) // 2, lat["min"]), lat["max"])
assert abs(p50 / 1000 - j["latency_ms"]["p50"]) < 0.0005, (p50, j["latency_ms"]["p50"])
PY
expect_contains "$(cat "$R/junit.xml")" 'name="latency.p99 [steady] max 300ms"' "JUnit names the scope"
expect_contains "$(cat "$R/report.html")" 'id="phases"' "the HTML report has the phases table"
pass "a run in phases: warm-up excluded, each phase judged, a change at a phase's start, drift between phases"

# A failing phase expectation fails the run and says which phase.
run_soak run --quiet --report-dir "$TMP/reports/fail" --set 'expect[1].min=2s' "$TMP/phases.yaml"
expect_eq "$RC" "1" "a phase expectation that fails"
expect_match "$(cat "$TMP/soak.out")" "FAIL  latency\.p50 \[slow\] +min 2s" "the terminal names the phase"
# --duration rescales the phases (whole seconds, at least one each), and a change at a phase follows it
run_soak run --quiet --report-dir "$TMP/reports/short" --duration 4s --set 'expect[3].min=9' \
    --set 'expect[3].max=11' "$TMP/phases.yaml"
expect_eq "$RC" "0" "the scenario shortened to 4 s ($(grep FAIL "$TMP/soak.out"))"
expect_eq "$(jq_py "$TMP/reports/short/summary.json" '[(p["start_s"], p["end_s"]) for p in j["phases"]]')" \
    "[(0.0, 1.0), (1.0, 3.0), (3.0, 4.0)]" "phases rescaled to 4 s (1:2:2 of 5 s in whole seconds)"
pass "a failing phase expectation; --duration rescales the phases"

# Errors name the place: an unknown phase in an expectation and in a change.
sed 's/phase: steady, max: 300ms/phase: stedy, max: 300ms/' "$TMP/phases.yaml" >"$TMP/bad.yaml"
run_soak run --check "$TMP/bad.yaml"
expect_eq "$RC" "2" "an unknown phase in an expectation"
expect_match "$(cat "$TMP/soak.err")" 'bad\.yaml:[0-9]+:[0-9]+: expect\[0\]\.phase: no phase called "stedy"' "expectation error"
sed 's/at: slow,/at: slw+1s,/' "$TMP/phases.yaml" >"$TMP/bad2.yaml"
run_soak run --check "$TMP/bad2.yaml"
expect_eq "$RC" "2" "an unknown phase in a change"
expect_match "$(cat "$TMP/soak.err")" 'bad2\.yaml:[0-9]+:[0-9]+: changes: at: "slw" is neither a duration nor a phase' "change error"
pass "unknown phases are errors with their position"

# soak load --warmup: a warm-up and a steady phase, without a scenario file
start_mock "
mock:
  threads: 1
  deployments:
    - {name: c, latency: {ttft: 2ms}, output_tokens: fixed(1)}
"
run_soak load --url "$(url_of c)" --rate 50/s --duration 3s --warmup 1s --json "$TMP/w.json"
expect_eq "$RC" "0" "soak load --warmup ($(cat "$TMP/soak.err"))"
expect_eq "$(jq_py "$TMP/w.json" '[(p["name"], p["excluded"]) for p in j["phases"]]')" \
    "[('warm-up', True), ('steady', False)]" "--warmup makes a warm-up and a steady phase"
fcmp "$(jq_py "$TMP/w.json" 'j["requests"]["total"]') <= 105" || fail "the warm-up counted in the totals"
run_soak load --url "$(url_of c)" --rate 50/s --duration 3s --warmup 3s
expect_eq "$RC" "2" "a warm-up as long as the run"
expect_contains "$(cat "$TMP/soak.err")" "leave nothing of a run of 3s to judge" "says why"
pass "soak load --warmup"
