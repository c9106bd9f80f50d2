#!/usr/bin/env bash
# tests/integration/soak_reasoning_test.sh — `soak load --reasoning-effort` asks the mock's chat model to reason:
# its stream then opens with reasoning_content deltas, and soak measures the time to the first of them
# (ttfrt_ms) apart from the first answer token (ttft_ms); without the flag there is no reasoning to time. The
# Responses API takes the effort too (reasoning.effort); an API without one refuses the flag.
source "$(dirname "$0")/soak_lib.sh"

start_mock "
mock:
  threads: 1
  deployments:
    - name: think
      latency: {ttft: 5ms, itl: 2ms}
      output_tokens: fixed(8)
"
URL=$(url_of think)

run_soak load --url "$URL" --api openai.chat --stream --reasoning-effort high --rate 10/s --duration 1s --quiet \
    --json "$TMP/r.json"
expect_eq "$RC" "0" "exit status ($(tail -3 "$TMP/soak.err"))"
expect_eq "$(jq_py "$TMP/r.json" 'j["ttfrt_ms"]["count"]')" "10" "every stream timed to its first reasoning token"
expect_eq "$(jq_py "$TMP/r.json" 'j["ttfrt_ms"]["p50"] < j["ttft_ms"]["p50"]')" "True" \
    "reasoning comes before the answer"
expect_contains "$(cat "$TMP/soak.out")" "ttfrt (reasoning)" "the table's ttfrt row"
pass "--reasoning-effort high: ttfrt_ms measured on every stream"

run_soak load --url "$URL" --api openai.chat --stream --rate 10/s --duration 1s --quiet --json "$TMP/n.json"
expect_eq "$(jq_py "$TMP/n.json" '"ttfrt_ms" in j')" "False" "no reasoning without the flag"
run_soak load --url "$URL" --api openai.chat --stream --reasoning-effort none --rate 10/s --duration 1s --quiet \
    --json "$TMP/none.json"
expect_eq "$(jq_py "$TMP/none.json" '"ttfrt_ms" in j')" "False" "no reasoning at effort none"
run_soak load --url "$URL" --api openai.responses --stream --reasoning-effort low --rate 10/s --duration 1s --quiet \
    --json "$TMP/resp.json"
expect_eq "$RC" "0" "the Responses API accepts reasoning.effort ($(tail -3 "$TMP/soak.err"))"
pass "no flag, effort none: no ttfrt; Responses: accepted"

run_soak load --url "$URL" --api openai.embeddings --reasoning-effort high --rate 10/s --duration 1s
expect_eq "$RC" "2" "embeddings refuse the flag"
expect_contains "$(cat "$TMP/soak.err")" "--reasoning-effort: openai.embeddings has no reasoning effort" "the flag named"
run_soak load --url "$URL" --reasoning-effort extreme --rate 10/s --duration 1s
expect_eq "$RC" "2" "an unknown effort"
expect_contains "$(cat "$TMP/soak.err")" '--reasoning-effort "extreme": expected none, minimal, low, medium or high' \
    "the value named"
pass "refused with the flag named"
