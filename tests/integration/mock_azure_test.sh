#!/usr/bin/env bash
# tests/integration/mock_azure_test.sh — the Azure OpenAI surface of a real mock-provider over HTTP:
# deployments/{d} paths with api-version, the v1 surface, api-key and Bearer auth, content-filter annotations
# in bodies and streams (the leading prompt-filter chunk), Azure's error bodies (missing and unsupported
# api-version, unknown deployment, wrong key) and OpenAI-shaped validation errors, headers, and /metrics.
source "$(dirname "$0")/mock_lib.sh"

start_mock "
seed: 7
mock:
  threads: 2
  deployments:
    - name: az
      provider: azure
      models: [gpt-4o-prod, embed-prod]
      api_keys: [az-key]
      output_tokens: fixed(4)
    - name: pinned
      provider: azure
      api_versions: [2024-10-21]
      output_tokens: fixed(2)
"
AZ=$(url_of az)
PINNED=$(url_of pinned)
expect_match "$AZ" '^http://127\.0\.0\.1:[0-9]+$' "an Azure endpoint has no /v1"
KEY=(-H "api-key: az-key" -H 'Content-Type: application/json')
V=api-version=2024-10-21
CHAT='{"messages":[{"role":"user","content":"Say hello"}]}'

req() { # METHOD URL [curl args...]: sets STATUS, BODY, HEADERS (lower-cased names)
    local method=$1 url=$2
    shift 2
    STATUS=$(curl -s -X "$method" -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' "$@" "$url")
    BODY=$(cat "$TMP/body")
    HEADERS=$(tr -d '\r' <"$TMP/headers" | tr 'A-Z' 'a-z')
}
header() {
    echo "$HEADERS" | sed -n "s/^$1: //p" | head -1
}

# 1. chat through deployments/{d}: the deployment is the model; annotations on the body and each choice
req POST "$AZ/openai/deployments/gpt-4o-prod/chat/completions?$V" "${KEY[@]}" -d "$CHAT"
expect_eq "$STATUS" 200 "chat status"
expect_eq "$(echo "$BODY" | json 'j["model"]')" "gpt-4o-prod" "chat model is the deployment"
expect_eq "$(echo "$BODY" | json 'j["usage"]["completion_tokens"]')" "4" "chat completion_tokens"
expect_eq "$(echo "$BODY" | json 'j["prompt_filter_results"][0]["content_filter_results"]["jailbreak"]["detected"]')" \
    "False" "prompt_filter_results"
expect_eq "$(echo "$BODY" | json 'j["choices"][0]["content_filter_results"]["hate"]["severity"]')" "safe" \
    "choice content_filter_results"
expect_match "$(header apim-request-id)" '^[0-9a-f]{32}$' "apim-request-id"
expect_eq "$(header x-mock-request-id)" "$(header apim-request-id)" "x-mock-request-id"
expect_eq "$(header x-request-id)" "$(header apim-request-id)" "x-request-id (the OpenAI SDKs read the request id there)"
expect_eq "$(header x-ms-region)" "west us" "x-ms-region (headers read lower-cased)"
expect_eq "$(header x-mock-deployment)" "az" "x-mock-deployment"
expect_eq "$(header content-length)" "${#BODY}" "content-length"
pass "chat on deployments/{d}"

# 2. the stream opens with Azure's prompt-filter chunk, then OpenAI's chunks with annotations, then [DONE]
req POST "$AZ/openai/deployments/gpt-4o-prod/chat/completions?$V" "${KEY[@]}" -N \
    -d '{"stream":true,"messages":[{"role":"user","content":"hi"}]}'
expect_eq "$STATUS" 200 "stream status"
FIRST=$(echo "$BODY" | grep '^data: ' | head -1 | sed 's/^data: //')
expect_eq "$(echo "$FIRST" | json '(len(j["choices"]), j["id"], j["object"], j["created"])')" "(0, '', '', 0)" \
    "first chunk is the filter chunk"
expect_eq "$(echo "$FIRST" | json 'j["prompt_filter_results"][0]["prompt_index"]')" "0" "filter chunk results"
SECOND=$(echo "$BODY" | grep '^data: ' | sed -n 2p | sed 's/^data: //')
expect_eq "$(echo "$SECOND" | json '(j["choices"][0]["delta"]["role"], j["choices"][0]["content_filter_results"])')" \
    "('assistant', {})" "role chunk"
THIRD=$(echo "$BODY" | grep '^data: ' | sed -n 3p | sed 's/^data: //')
expect_eq "$(echo "$THIRD" | json 'j["choices"][0]["content_filter_results"]["violence"]["filtered"]')" "False" \
    "content chunk annotations"
expect_eq "$(echo "$BODY" | grep '^data: ' | tail -1)" "data: [DONE]" "stream end"
pass "stream with the leading filter chunk"

# 3. Bearer (Entra ID) works like api-key; a wrong key is Azure's 401
req POST "$AZ/openai/deployments/gpt-4o-prod/chat/completions?$V" -H "Authorization: Bearer az-key" -d "$CHAT"
expect_eq "$STATUS" 200 "bearer status"
req POST "$AZ/openai/deployments/gpt-4o-prod/chat/completions?$V" -H "api-key: nope" -d "$CHAT"
expect_eq "$STATUS" 401 "wrong key status"
expect_eq "$(echo "$BODY" | json '(j["error"]["code"], "type" in j["error"])')" "('401', False)" "401 body"
expect_contains "$BODY" "Access denied due to invalid subscription key" "401 message"
pass "api-key, Bearer and 401"

# 4. api-version: missing is a 404, unsupported a 400, a deployment's own list is enforced
req POST "$AZ/openai/deployments/gpt-4o-prod/chat/completions" "${KEY[@]}" -d "$CHAT"
expect_eq "$STATUS" 404 "missing api-version status"
expect_eq "$BODY" '{"error":{"code":"404","message":"Resource not found"}}' "missing api-version body"
req POST "$AZ/openai/deployments/gpt-4o-prod/chat/completions?api-version=banana" "${KEY[@]}" -d "$CHAT"
expect_eq "$STATUS" 400 "unsupported api-version status"
expect_eq "$BODY" '{"error":{"code":"BadRequest","message":"API version not supported"}}' "unsupported body"
req POST "$PINNED/openai/deployments/x/chat/completions?api-version=2024-06-01" -d "$CHAT"
expect_eq "$STATUS" 400 "version outside the deployment's list"
req POST "$PINNED/openai/deployments/x/chat/completions?$V&other=1" -d "$CHAT"
expect_eq "$STATUS" 200 "version in the deployment's list"
expect_eq "$(echo "$BODY" | json 'j["usage"]["completion_tokens"]')" "2" "pinned completion_tokens"
pass "api-version handling"

# 5. an unknown deployment, an unknown path, a bad body
req POST "$AZ/openai/deployments/gpt-5-nope/chat/completions?$V" "${KEY[@]}" -d "$CHAT"
expect_eq "$STATUS" 404 "unknown deployment status"
expect_eq "$(echo "$BODY" | json 'j["error"]["code"]')" "DeploymentNotFound" "unknown deployment code"
req POST "$AZ/openai/deployments/bad%20name/chat/completions?$V" "${KEY[@]}" -d "$CHAT"
expect_eq "$STATUS" 404 "malformed deployment name"
req POST "$AZ/v1/chat/completions" "${KEY[@]}" -d "$CHAT"
expect_eq "$STATUS" 404 "OpenAI path on Azure"
expect_eq "$BODY" '{"error":{"code":"404","message":"Resource not found"}}' "unknown path body"
req POST "$AZ/openai/deployments/gpt-4o-prod/chat/completions?$V" "${KEY[@]}" -d '{"messages":[]}'
expect_eq "$STATUS" 400 "validation status"
expect_eq "$(echo "$BODY" | json 'j["error"]["type"]')" "invalid_request_error" "validation errors keep OpenAI's shape"
pass "Azure errors"

# 6. embeddings and completions on deployments/{d}; the v1 surface takes the model from the body
req POST "$AZ/openai/deployments/embed-prod/embeddings?$V" "${KEY[@]}" -d '{"input":["a","b"],"dimensions":4}'
expect_eq "$STATUS" 200 "embeddings status"
expect_eq "$(echo "$BODY" | json '(len(j["data"]), len(j["data"][1]["embedding"]), j["model"])')" "(2, 4, 'embed-prod')" \
    "embeddings body"
req POST "$AZ/openai/deployments/gpt-4o-prod/completions?$V" "${KEY[@]}" -d '{"prompt":"Say"}'
expect_eq "$STATUS" 200 "completions status"
expect_eq "$(echo "$BODY" | json 'j["choices"][0]["content_filter_results"]["sexual"]["severity"]')" "safe" \
    "completions annotations"
req POST "$AZ/openai/v1/chat/completions" "${KEY[@]}" -d '{"model":"gpt-4o-prod","messages":[{"role":"user","content":"x"}]}'
expect_eq "$STATUS" 200 "v1 chat status"
req POST "$AZ/openai/v1/chat/completions?api-version=preview" "${KEY[@]}" \
    -d '{"model":"gpt-4o-prod","messages":[{"role":"user","content":"x"}]}'
expect_eq "$STATUS" 200 "v1 with api-version=preview"
req POST "$AZ/openai/v1/chat/completions?$V" "${KEY[@]}" -d '{"model":"gpt-4o-prod","messages":[{"role":"user","content":"x"}]}'
expect_eq "$STATUS" 400 "v1 with a dated api-version"
req POST "$AZ/openai/v1/responses" "${KEY[@]}" -d '{"model":"gpt-4o-prod","input":"hi"}'
expect_eq "$(echo "$BODY" | json '(j["object"], j["status"])')" "('response', 'completed')" "v1 responses"
req GET "$AZ/openai/models?$V" "${KEY[@]}"
expect_eq "$(echo "$BODY" | json '[m["id"] for m in j["data"]]')" "['gpt-4o-prod', 'embed-prod']" "models"
pass "embeddings, completions, v1, responses, models"

# 7. metrics count by the common api labels
req GET "$AZ/metrics"
expect_contains "$BODY" 'mock_requests_total{deployment="az",api="chat",model="gpt-4o-prod",status="200"} 5' \
    "chat counted"
expect_contains "$BODY" 'mock_requests_total{deployment="az",api="embeddings",model="embed-prod",status="200"} 1' \
    "embeddings counted"
pass "metrics"

stop_mock
pass "Azure OpenAI surface"
