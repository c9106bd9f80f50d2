#!/usr/bin/env bash
# tests/integration/soak_reasoning_test.sh — `soak load --reasoning-effort` asks the mock's chat model to reason:
# its stream then opens with reasoning_content deltas, and soak measures the time to the first of them
# (ttfrt_ms) apart from the first answer token (ttft_ms); without the flag there is no reasoning to time. The
# Responses API takes the effort too (reasoning.effort); an API without one refuses the flag. With
# --reasoning-summary the Responses stream shows its reasoning as summary deltas and a thinking Gemini model its
# thoughts as thought parts: both timed as reasoning, their tokens inside the output count.
source "$(dirname "$0")/soak_lib.sh"

start_mock "
mock:
  threads: 1
  deployments:
    - name: think
      latency: {ttft: 5ms, itl: 2ms}
      output_tokens: fixed(8)
    - name: think-gm
      provider: gemini
      reasoning: true
      latency: {ttft: 5ms, itl: 2ms}
      output_tokens: fixed(8)
"
URL=$(url_of think)
GM=$(url_of think-gm)

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

# Half of the 8 tokens are reasoning: 4 summary deltas (or thought chunks) 2 ms apart before the answer's 4, and
# the usage counts all 8 (Responses output_tokens; Gemini candidatesTokenCount + thoughtsTokenCount).
run_soak load --url "$URL" --api openai.responses --stream --reasoning-effort high --reasoning-summary auto \
    --rate 20/s --duration 500ms --quiet --json "$TMP/sum.json"
expect_eq "$RC" "0" "Responses with a summary ($(tail -3 "$TMP/soak.err"))"
expect_eq "$(jq_py "$TMP/sum.json" '(j["ttfrt_ms"]["count"], j["ttfrt_ms"]["p50"] < j["ttft_ms"]["p50"],
    j["tokens"]["total"], j["token_counts"]["differs"])')" "(10, True, 80, 0)" \
    "Responses: every stream timed to its summary, before the answer; reasoning inside output_tokens, a token a delta"
run_soak load --url "$GM" --api gemini.generate --model gemini-2.5-flash --stream --reasoning-summary auto \
    --rate 20/s --duration 500ms --quiet --json "$TMP/gm.json"
expect_eq "$RC" "0" "Gemini with includeThoughts ($(tail -3 "$TMP/soak.err"))"
expect_eq "$(jq_py "$TMP/gm.json" '(j["ttfrt_ms"]["count"], j["ttfrt_ms"]["p50"] < j["ttft_ms"]["p50"],
    j["tokens"]["total"], j["token_counts"]["differs"])')" "(10, True, 80, 0)" \
    "Gemini: every stream timed to its first thought, before the answer; thoughtsTokenCount inside the output"
pass "--reasoning-summary: ttfrt_ms on Responses summaries and Gemini thoughts"

run_soak load --url "$URL" --api openai.embeddings --reasoning-effort high --rate 10/s --duration 1s
expect_eq "$RC" "2" "embeddings refuse the flag"
expect_contains "$(cat "$TMP/soak.err")" "--reasoning-effort: openai.embeddings has no reasoning effort" "the flag named"
run_soak load --url "$URL" --reasoning-effort extreme --rate 10/s --duration 1s
expect_eq "$RC" "2" "an unknown effort"
expect_contains "$(cat "$TMP/soak.err")" '--reasoning-effort "extreme": expected none, minimal, low, medium or high' \
    "the value named"
run_soak load --url "$URL" --api openai.chat --reasoning-summary auto --rate 10/s --duration 1s
expect_eq "$RC" "2" "chat has no summary"
expect_contains "$(cat "$TMP/soak.err")" "--reasoning-summary: openai.chat has no reasoning summary" "the flag named"
run_soak load --url "$URL" --api openai.responses --reasoning-summary short --rate 10/s --duration 1s
expect_eq "$RC" "2" "an unknown summary"
expect_contains "$(cat "$TMP/soak.err")" '--reasoning-summary "short": expected auto, concise or detailed' \
    "the value named"
pass "refused with the flag named"
