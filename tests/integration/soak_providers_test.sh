#!/usr/bin/env bash
# tests/integration/soak_providers_test.sh — soak loads each provider surface of the real mock-provider
# through its own API entry (path, auth header, stream dialect): every request accounted for on both sides,
# streams timed (TTFT present, one content event per output token) and tokens counted from the provider's
# own usage fields.
source "$(dirname "$0")/soak_lib.sh"

start_mock "
mock:
  threads: 1
  deployments:
    - name: az
      provider: azure
      models: [gpt-4o-prod]
      api_keys: [az-key]
      output_tokens: fixed(6)
    - name: gm
      provider: gemini
      models: [gemini-2.5-flash, gemini-2.5-pro]
      api_keys: [gm-key]
      output_tokens: fixed(5)
    - name: vx
      provider: vertex
      models: [gemini-2.0-flash-001]
      output_tokens: fixed(4)
    - name: an
      provider: anthropic
      models: [claude-sonnet-4-5]
      api_keys: [an-key]
      output_tokens: fixed(7)
"
AZ=$(url_of az)
AN=$(url_of an)
GM=$(url_of gm)
VX=$(url_of vx)

# azure.chat: the model is the deployment in the path, the key goes in api-key
run_soak load --url "$AZ" --api azure.chat --model gpt-4o-prod --api-key az-key --rate 100/s --duration 1s \
    --seed 2 --quiet --json "$TMP/az.json" --expect 'failure_rate<=0%'
expect_eq "$RC" "0" "azure.chat exit status ($(cat "$TMP/soak.err"))"
expect_eq "$(jq_py "$TMP/az.json" 'j["requests"]["ok"]')" "100" "azure.chat ok"
expect_eq "$(jq_py "$TMP/az.json" 'j["tokens"]["total"]')" "600" "azure.chat tokens from usage"
run_soak load --url "$AZ" --api azure.chat --model gpt-4o-prod --api-key az-key --rate 100/s --duration 1s \
    --stream --seed 3 --quiet --json "$TMP/azs.json" --expect 'failure_rate<=0%'
expect_eq "$RC" "0" "azure.chat stream exit status"
expect_eq "$(jq_py "$TMP/azs.json" 'j["requests"]["ok"]')" "100" "azure.chat stream ok"
expect_eq "$(jq_py "$TMP/azs.json" 'j["ttft_ms"]["count"]')" "100" "azure.chat stream TTFT (the filter chunk is not a token)"
expect_eq "$(jq_py "$TMP/azs.json" 'j["tokens"]["total"]')" "600" "azure.chat stream content events"
expect_eq "$(mock_requests az)" "200" "the mock counted every request"
# a wrong key is a 401 on every request, counted as such
run_soak load --url "$AZ" --api azure.chat --model gpt-4o-prod --api-key nope --rate 20/s --duration 1s --quiet \
    --json "$TMP/bad.json"
expect_eq "$RC" "1" "wrong key fails the verdict"
expect_eq "$(jq_py "$TMP/bad.json" 'j["requests"]["failed"]')" "20" "wrong key: every request failed"
pass "azure.chat and azure.chat stream"

# gemini.generate: the model in the path, x-goog-api-key, usageMetadata for tokens; the stream with alt=sse
run_soak load --url "$GM" --api gemini.generate --model gemini-2.5-flash --api-key gm-key --rate 50/s --duration 1s \
    --seed 5 --quiet --json "$TMP/gm.json" --expect 'failure_rate<=0%'
expect_eq "$RC" "0" "gemini.generate exit status ($(cat "$TMP/soak.err"))"
expect_eq "$(jq_py "$TMP/gm.json" 'j["requests"]["ok"]')" "50" "gemini.generate ok"
expect_eq "$(jq_py "$TMP/gm.json" 'j["tokens"]["total"]')" "250" "gemini.generate tokens from usageMetadata"
run_soak load --url "$GM" --api gemini.generate --model gemini-2.5-flash --api-key gm-key --rate 50/s --duration 1s \
    --stream --seed 6 --quiet --json "$TMP/gms.json" --expect 'failure_rate<=0%'
expect_eq "$RC" "0" "gemini.generate stream exit status ($(cat "$TMP/soak.err"))"
expect_eq "$(jq_py "$TMP/gms.json" 'j["ttft_ms"]["count"]')" "50" "gemini stream TTFT"
expect_eq "$(jq_py "$TMP/gms.json" 'j["tokens"]["total"]')" "250" "gemini stream content chunks"
expect_eq "$(mock_requests gm)" "100" "the mock counted every gemini request"
# two models taken in turn: each request's path names its own model (the transfer re-points its URL)
run_soak load --url "$GM" --api gemini.generate --model gemini-2.5-flash --model gemini-2.5-pro --api-key gm-key \
    --rate 40/s --duration 1s --seed 8 --quiet --json "$TMP/gm2.json" --expect 'failure_rate<=0%'
expect_eq "$RC" "0" "gemini.generate with two models"
PRO=$(curl -s "$(base_of gm)/metrics" | awk '/^mock_requests_total\{/ && /deployment="gm"/ && /model="gemini-2.5-pro"/ { s += $NF } END { printf "%d\n", s }')
expect_eq "$PRO" "20" "the mock saw half of the requests for the second model"
pass "gemini.generate and its stream"

# vertex.generate: Bearer, the project/location path
run_soak load --url "$VX" --api vertex.generate --model gemini-2.0-flash-001 --api-key token --rate 50/s --duration 1s \
    --stream --seed 7 --quiet --json "$TMP/vx.json" --expect 'failure_rate<=0%'
expect_eq "$RC" "0" "vertex.generate exit status ($(cat "$TMP/soak.err"))"
expect_eq "$(jq_py "$TMP/vx.json" 'j["tokens"]["total"]')" "200" "vertex stream content chunks"
pass "vertex.generate stream"

# anthropic.messages: x-api-key and anthropic-version, named events, usage.output_tokens
run_soak load --url "$AN" --api anthropic.messages --model claude-sonnet-4-5 --api-key an-key --rate 50/s \
    --duration 1s --seed 8 --quiet --json "$TMP/an.json" --expect 'failure_rate<=0%'
expect_eq "$RC" "0" "anthropic.messages exit status ($(cat "$TMP/soak.err"))"
expect_eq "$(jq_py "$TMP/an.json" 'j["tokens"]["total"]')" "350" "anthropic tokens from usage.output_tokens"
run_soak load --url "$AN" --api anthropic.messages --model claude-sonnet-4-5 --api-key an-key --rate 50/s \
    --duration 1s --stream --seed 9 --quiet --json "$TMP/ans.json" --expect 'failure_rate<=0%'
expect_eq "$RC" "0" "anthropic.messages stream exit status ($(cat "$TMP/soak.err"))"
expect_eq "$(jq_py "$TMP/ans.json" 'j["ttft_ms"]["count"]')" "50" "anthropic stream TTFT"
expect_eq "$(jq_py "$TMP/ans.json" 'j["tokens"]["total"]')" "350" "anthropic stream text deltas"
pass "anthropic.messages and its stream"

stop_mock
pass "soak against every provider surface"
