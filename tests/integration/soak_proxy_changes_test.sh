#!/usr/bin/env bash
# tests/integration/soak_proxy_changes_test.sh — timed changes through fault-proxy's API in a scenario: the
# load goes to the mock through a proxy; at the `slowed` phase a latency toxic is set on the proxy, at `after`
# its toxics are emptied again; each phase's latency shows it. The proxy's and the toxic's names hold a space,
# so the API's paths carry them percent-encoded. --check validates a proxy change with fault-proxy's own
# reader, and names an unknown proxy with its position.
source "$(dirname "$0")/soak_lib.sh"
export SOAK_MOCK_PROVIDER=$MOCK_PROVIDER SOAK_FAULT_PROXY=$FAULT_PROXY

cat >"$TMP/proxied.yaml" <<'EOF'
name: proxied
seed: 4
proxies:
  - name: front door
    listen: 127.0.0.1:0
    upstream: "127.0.0.1:{{deployments.a.port}}"
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
  target: "{{proxies.front door.url}}/v1"
  arrival: {constant: 40/s}
  phases:
    - {name: before, duration: 2s}
    - {name: slowed, duration: 2s}
    - {name: after, duration: 2s}
  requests:
    - {api: openai.chat, model: m}
changes:
  - at: slowed
    proxy: front door
    set: {toxics: [{name: the lag, type: latency, stream: downstream, attributes: {latency: 400}}]}
  - {at: after, proxy: front door, set: {toxics: []}}
expect:
  - {metric: latency.p50, phase: before, max: 200ms}
  - {metric: latency.p50, phase: slowed, min: 350ms}
  - {metric: latency.p50, phase: after, max: 200ms}
  - {metric: failure_rate, max: 0%}
EOF
run_soak run --check "$TMP/proxied.yaml"
expect_eq "$RC" "0" "--check of proxy changes ($(cat "$TMP/soak.err"))"
run_soak run --quiet --report-dir "$TMP/r" "$TMP/proxied.yaml"
expect_eq "$RC" "0" "a latency toxic set and removed through fault-proxy's API ($(grep FAIL "$TMP/soak.out") $(tail -3 "$TMP/soak.err"))"
expect_contains "$(cat "$TMP/soak.err")" "changed proxy front door: toxics" "the runner says what it changed"
P50=$(jq_py "$TMP/r/summary.json" '[round(p["latency_ms"]["p50"]) for p in j["phases"]]')
echo "p50 by phase: $P50"
pass "proxy changes: a toxic at a phase's start, removed at the next"

sed 's/proxy: front door, set: {toxics: \[\]}/proxy: frnt, set: {toxics: []}/' "$TMP/proxied.yaml" >"$TMP/bad1.yaml"
run_soak run --check "$TMP/bad1.yaml"
expect_eq "$RC" "2" "an unknown proxy"
expect_match "$(cat "$TMP/soak.err")" 'bad1\.yaml:[0-9]+:[0-9]+: changes\[1\]\.proxy: no proxy in proxies: "frnt"' "unknown proxy"
sed 's/type: latency/type: latncy/' "$TMP/proxied.yaml" >"$TMP/bad2.yaml"
run_soak run --check "$TMP/bad2.yaml"
expect_eq "$RC" "2" "a toxic fault-proxy does not know"
expect_contains "$(cat "$TMP/soak.err")" "latncy" "fault-proxy's own message about the toxic"
sed 's/set: {toxics: \[\]}/set: {upstream: "127.0.0.1:1"}/' "$TMP/proxied.yaml" >"$TMP/bad3.yaml"
run_soak run --check "$TMP/bad3.yaml"
expect_eq "$RC" "2" "a proxy key a change cannot set"
expect_match "$(cat "$TMP/soak.err")" 'bad3\.yaml:[0-9]+:[0-9]+: changes\[1\]\.set: unknown key "upstream"' "unknown key"
pass "proxy changes are checked before the run"
