#!/usr/bin/env bash
# tests/integration/soak_groups_test.sh — load.groups: two request mixes at their own arrival processes in one
# run (a data plane at 100/s, a control plane every 250 ms), each drawing only its own templates; results per
# group that add up to the run's (summary, JSONL series), expectations scoped to a group (and to a group in a
# phase), a failing group expectation failing the run, and --group running one group alone.
source "$(dirname "$0")/soak_lib.sh"

start_mock "
mock:
  threads: 1
  deployments:
    - {name: a, latency: {ttft: fixed(3ms)}, output_tokens: fixed(2)}
"
cat >"$TMP/groups.yaml" <<EOF
name: groups
seed: 9
duration: 4s
load:
  target: $(url_of a)
  phases:
    - {name: first, duration: 2s}
    - {name: second, duration: 2s}
  groups:
    - name: data
      arrival: {constant: 100/s}
      requests:
        - {api: openai.chat, model: data-1, weight: 3}
        - {api: openai.chat, model: data-2}
    - name: control
      arrival: {every: 250ms}
      requests:
        - {api: openai.chat, model: control}
expect:
  - {metric: failure_rate, max: 0%}
  - {metric: requests.total, group: data, min: 380, max: 420}
  - {metric: requests.total, group: control, min: 15, max: 17}
  - {metric: requests.total, group: control, phase: second, min: 7, max: 9}
  - {metric: latency.p99, group: control, max: 2s}
EOF
run_soak load --config "$TMP/groups.yaml" --json "$TMP/g.json" --jsonl "$TMP/g.jsonl"
expect_eq "$RC" "0" "a run of two groups ($(grep -E 'FAIL' "$TMP/soak.out") $(tail -3 "$TMP/soak.err"))"
DATA=$(jq_py "$TMP/g.json" 'j["groups"]["data"]["requests"]["total"]')
CTRL=$(jq_py "$TMP/g.json" 'j["groups"]["control"]["requests"]["total"]')
expect_eq "$(jq_py "$TMP/g.json" 'j["requests"]["total"]')" "$((DATA + CTRL))" "the groups add up to the run"
# each group drew only its own templates
expect_eq "$(jq_py "$TMP/g.json" 'sum(m["total"] for m in j["by_model"] if m["name"].startswith("data"))')" "$DATA" \
    "the data group's requests are its models'"
expect_eq "$(jq_py "$TMP/g.json" '[m["total"] for m in j["by_model"] if m["name"] == "control"][0]')" "$CTRL" \
    "the control group's requests are its model's"
expect_eq "$(jq_py "$TMP/g.json" '[e["scope"] for e in j["expectations"]]')" \
    "[None, 'data', 'control', 'control, second', 'control']" "expectations name their group"
expect_match "$(jq_py "$TMP/g.json" 'j["run"]["arrival"]')" "^data: constant 100/s; control: constant 4/s$" "the arrival of each group"
python3 - "$TMP/g.jsonl" "$DATA" "$CTRL" <<'PY' || fail "the series' groups do not add up"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert all("groups" in l for l in lines), "a line without groups"
for l in lines:
    assert l["requests"] == sum(g["requests"] for g in l["groups"].values()), l
assert sum(l["groups"]["data"]["requests"] for l in lines) == int(sys.argv[2])
assert sum(l["groups"]["control"]["requests"] for l in lines) == int(sys.argv[3])
PY
expect_match "$(cat "$TMP/soak.out")" "control +16 +16 +0 " "the terminal's Groups table"
pass "two groups at their own rates: counts per group add up, each drew its own templates, scoped expectations"

# a failing group expectation fails the run, and says which group
run_soak load --config "$TMP/groups.yaml" --set 'expect[4].max=1us' --json "$TMP/f.json"
expect_eq "$RC" "1" "a group expectation that fails"
expect_match "$(cat "$TMP/soak.out")" "FAIL  latency\.p99 \[control\]" "the failing group is named"

# --group runs one group alone; the other group's expectations are not judged
run_soak load --config "$TMP/groups.yaml" --group control --json "$TMP/c.json"
expect_eq "$RC" "0" "--group control ($(grep FAIL "$TMP/soak.out"))"
expect_eq "$(jq_py "$TMP/c.json" 'list(j["groups"])')" "['control']" "only the control group ran"
expect_eq "$(jq_py "$TMP/c.json" 'j["requests"]["total"]')" "$(jq_py "$TMP/c.json" 'j["groups"]["control"]["requests"]["total"]')" \
    "every request was the control group's"
expect_contains "$(cat "$TMP/soak.err")" "1 expectation on groups not selected by --group is not judged" "says so"
pass "a failing group expectation; --group"

# a group's own connection pool and policy: 3 s at 10/s per group. The churning group opens a connection per
# request (30) and the plain group keeps its own few; with max_requests: 5 the limited group opens 6 (a pool of
# its own, so the other group's requests do not count on its connections).
pools() {
    cat >"$TMP/pools.yaml" <<EOF
duration: 3s
load:
  target: $(url_of a)
  groups:
    - name: limited
      arrival: {constant: 10/s}
      requests: [{api: openai.chat, model: limited}]
      connections: $1
    - name: plain
      arrival: {constant: 10/s}
      requests: [{api: openai.chat, model: plain}]
expect: [{metric: failure_rate, max: 0%}]
EOF
    run_soak load --config "$TMP/pools.yaml"
    expect_eq "$RC" "0" "groups with connections: $1 ($(tail -3 "$TMP/soak.err"))"
    OPENED=$(sed -n 's/^soak: \([0-9]*\) connections\{0,1\} opened.*/\1/p' "$TMP/soak.err")
}
pools "{churn: true}"
fcmp "$OPENED >= 31 and $OPENED <= 36" || fail "churn in one group: $OPENED connections opened (expected 30 + a few)"
pools "{max_requests: 5}"
fcmp "$OPENED >= 7 and $OPENED <= 12" || fail "max_requests: 5 in one group: $OPENED connections opened (expected 6 + a few)"
pools "{}"
# An empty policy is a pool of the group's own that keeps its connections (a shared pool opens as few here, so
# this checks reuse, not separation: max_requests above shows the separation).
fcmp "$OPENED >= 2 and $OPENED <= 6" || fail "connections: {}: $OPENED connections opened (expected a few, reused)"
sed 's/connections: {}/connections: {churn: true, max_age: 1s}/' "$TMP/pools.yaml" >"$TMP/bad.yaml"
run_soak load --config "$TMP/bad.yaml" --check
expect_eq "$RC" "2" "churn with max_age in a group"
expect_match "$(cat "$TMP/soak.err")" 'bad\.yaml:[0-9]+:[0-9]+: load\.groups\[0\]\.connections: churn opens a connection per request' \
    "the group's connections error, with its position"
pass "a group's own connection pool: churn, max_requests, errors"

# errors with their position
sed 's/group: data, min/group: dat, min/' "$TMP/groups.yaml" >"$TMP/bad.yaml"
run_soak load --config "$TMP/bad.yaml" --check
expect_eq "$RC" "2" "an unknown group in an expectation"
expect_match "$(cat "$TMP/soak.err")" 'bad\.yaml:[0-9]+:[0-9]+: expect\[1\]\.group: no group called "dat"' "position"
pass "unknown groups are errors with their position"
