#!/usr/bin/env bash
# tests/integration/soak_closed_loop_test.sh — closed-loop users: each user waits for its answer and thinks
# before the next request, so the rate follows users / (service + think); latency is measured from the end
# of the think time; spawn staggers the users' first requests; a scenario file with a weighted mix of APIs
# reaches the mock's matching endpoints.
source "$(dirname "$0")/soak_lib.sh"

start_mock "
mock:
  threads: 1
  deployments:
    - name: cl
      latency: {ttft: 50ms}
      output_tokens: fixed(1)
"
URL=$(url_of cl)

# 10 users, 50 ms service + 100 ms think: a request every 150 ms per user, 20 per user in 3 s.
run_soak load --url "$URL" --users 10 --think 100ms --duration 3s --quiet --json "$TMP/cl.json"
expect_eq "$RC" "0" "exit status"
TOTAL=$(jq_py "$TMP/cl.json" 'j["requests"]["total"]')
# A cycle is the think time plus what the run measured: the service time and the pacer's lag (how late the
# client sent, which a stalled client on a loaded machine makes up to 100 ms; sanitizer builds stretch both).
# The lower bounds scale by that cycle against the planned 150 ms, so they still tell a think time not
# honoured, or counted twice (120 requests), from one honoured.
cycle() { jq_py "$1" '100 + j["service_ms"]["mean"] + j["client"]["pacer_lag_ms"]["mean"]'; }
LOW=$(python3 -c "print(int(185 * 150 / max(150, $(cycle "$TMP/cl.json"))))")
fcmp "$LOW <= $TOTAL <= 200" || fail "$TOTAL requests from 10 users over 3 s (expected about 200, at least $LOW)"
P50=$(jq_py "$TMP/cl.json" 'j["latency_ms"]["p50"]')
# The upper bound only has to tell "think not counted" (about 50 ms) from "think counted" (150 ms): on a machine
# running other test suites beside this one, timer wake-ups alone added 5-10 ms to the median (55 and 60 ms seen).
fcmp "49.5 <= $P50 <= 50 + $(scaled 25)" || fail "latency p50 $P50 ms (service 50 ms, think not counted)"
expect_eq "$(jq_py "$TMP/cl.json" 'j["requests"]["inflight_max"] <= 10')" "True" "in flight never above users"
expect_eq "$(jq_py "$TMP/cl.json" 'j["run"]["target_rate"]')" "0.0" "no target rate for a closed loop"
pass "closed loop: $TOTAL requests, latency p50 $P50 ms"

# Spawn 10 users at 10/s: the last starts at 0.9 s, so about 4.5 fewer cycles than without spawn.
run_soak load --url "$URL" --users 10 --think 100ms --spawn 10/s --duration 3s --quiet --json "$TMP/sp.json"
TOTAL=$(jq_py "$TMP/sp.json" 'j["requests"]["total"]')
# (spawning at 5/s would give about 140)
LOW=$(python3 -c "print(int(160 * 150 / max(150, $(cycle "$TMP/sp.json"))))")
fcmp "$LOW <= $TOTAL <= 175" || fail "$TOTAL requests with spawn 10/s (expected about 170, at least $LOW)"
pass "spawn: $TOTAL requests"

# A weighted mix from a scenario file: 3 parts chat, 1 part embeddings.
cat >"$TMP/mix.yaml" <<EOF
name: mix
seed: 3
duration: 2s
load:
  target: $URL
  arrival: {constant: 200/s}
  requests:
    - {weight: 3, api: openai.chat, model: mix-chat, max_tokens: 5}
    - {weight: 1, api: openai.embeddings, model: text-embedding-3-small, input: "{{uuid}} embed me"}
EOF
run_soak load --config "$TMP/mix.yaml" --quiet --json "$TMP/mix.json"
expect_eq "$RC" "0" "exit status of the mix"
BASE=${URL%/v1}
CHAT=$(curl -s "$BASE/metrics" | awk '/^mock_requests_total\{/ && /model="mix-chat"/ { s += $NF } END { print s + 0 }')
EMB=$(curl -s "$BASE/metrics" | awk '/^mock_requests_total\{/ && /api="embeddings"/ { s += $NF } END { print s + 0 }')
expect_eq "$((CHAT + EMB))" "400" "chat + embeddings"
fcmp "abs($EMB / 400 - 0.25) < 0.07" || fail "embeddings share $EMB/400, weight 1 of 4"
expect_eq "$(jq_py "$TMP/mix.json" 'j["requests"]["ok"]')" "400" "mix ok"
pass "weighted mix: $CHAT chat, $EMB embeddings"
