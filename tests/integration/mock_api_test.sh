#!/usr/bin/env bash
# tests/integration/mock_api_test.sh — every OpenAI surface of the real mock-provider over HTTP: chat
# (stream with include_usage and not), completions, embeddings (float and base64), responses (object and
# stream), models, the error cases (404, 401, 400, 413), the headers on every response, /health, and
# /metrics counting exactly the requests made. Two deployments, two threads, ports chosen by the kernel.
source "$(dirname "$0")/mock_lib.sh"

start_mock "
seed: 42
mock:
  threads: 2
  max_body: 4KiB
  deployments:
    - name: main
      models: [gpt-4o-mini, text-embedding-3-small]
      api_keys: [sk-test-123]
      output_tokens: fixed(8)
    - name: open
      output_tokens: fixed(3)
"
MAIN=$(url_of main)
OPEN=$(url_of open)
expect_match "$MAIN" '^http://127\.0\.0\.1:[0-9]+/v1$' "main api_base"
expect_match "$OPEN" '^http://127\.0\.0\.1:[0-9]+/v1$' "open api_base"
[ "$MAIN" != "$OPEN" ] || fail "both deployments got the same port"
AUTH=(-H "Authorization: Bearer sk-test-123")

# req METHOD URL [curl args...]: sets STATUS, BODY, HEADERS (lower-cased names)
req() {
    local method=$1 url=$2
    shift 2
    STATUS=$(curl -s -X "$method" -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' "$@" "$url")
    BODY=$(cat "$TMP/body")
    HEADERS=$(tr -d '\r' <"$TMP/headers" | tr 'A-Z' 'a-z')
}

header() {
    echo "$HEADERS" | sed -n "s/^$1: //p" | head -1
}

declare -A SEEN_IDS
check_common_headers() { # deployment what
    local rid mrid
    rid=$(header x-request-id)
    mrid=$(header x-mock-request-id)
    expect_match "$rid" '^req_[0-9a-f]{32}$' "$2: x-request-id"
    expect_eq "$mrid" "$rid" "$2: x-mock-request-id"
    [ -z "${SEEN_IDS[$rid]:-}" ] || fail "$2: request id $rid repeated"
    SEEN_IDS[$rid]=1
    expect_eq "$(header x-mock-deployment)" "$1" "$2: x-mock-deployment"
    expect_match "$(header x-mock-service-ms)" '^[0-9]+\.[0-9]{3}$' "$2: x-mock-service-ms"
    expect_match "$(header openai-processing-ms)" '^[0-9]+$' "$2: openai-processing-ms"
    expect_eq "$(header openai-version)" "2020-10-01" "$2: openai-version"
}

CHAT='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}]}'

# 1. chat, non-stream
req POST "$MAIN/chat/completions" "${AUTH[@]}" -H 'Content-Type: application/json' -d "$CHAT"
expect_eq "$STATUS" 200 "chat status"
check_common_headers main "chat"
expect_eq "$(header content-type)" "application/json" "chat content-type"
expect_eq "$(echo "$BODY" | json 'j["object"]')" "chat.completion" "chat object"
expect_eq "$(echo "$BODY" | json 'j["usage"]["completion_tokens"]')" "8" "chat completion_tokens"
expect_eq "$(header content-length)" "${#BODY}" "chat content-length"
pass "chat non-stream"

# 2. chat, stream with usage
req POST "$MAIN/chat/completions" "${AUTH[@]}" -N \
    -d '{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}'
expect_eq "$STATUS" 200 "stream status"
check_common_headers main "stream"
expect_eq "$(header content-type)" "text/event-stream" "stream content-type"
expect_eq "$(header cache-control)" "no-cache" "stream cache-control"
LAST=$(echo "$BODY" | grep '^data: ' | tail -1)
expect_eq "$LAST" "data: [DONE]" "stream end"
USAGE=$(echo "$BODY" | grep '^data: ' | tail -2 | head -1 | sed 's/^data: //')
expect_eq "$(echo "$USAGE" | json 'len(j["choices"])')" "0" "usage chunk choices"
expect_eq "$(echo "$USAGE" | json 'j["usage"]["completion_tokens"]')" "8" "usage chunk completion_tokens"
expect_eq "$(echo "$BODY" | grep -c '"content":"')" "9" "stream chunks with content (role chunk + 8 tokens)"
pass "chat stream with include_usage"

# 3. completions
req POST "$MAIN/completions" "${AUTH[@]}" -d '{"model":"gpt-4o-mini","prompt":"Once upon a time"}'
expect_eq "$STATUS" 200 "completions status"
check_common_headers main "completions"
expect_eq "$(echo "$BODY" | json 'j["object"]')" "text_completion" "completions object"
pass "completions"

# 4-5. embeddings, float and base64
req POST "$MAIN/embeddings" "${AUTH[@]}" -d '{"model":"text-embedding-3-small","input":["a","b"]}'
expect_eq "$STATUS" 200 "embeddings status"
check_common_headers main "embeddings"
expect_eq "$(echo "$BODY" | json 'len(j["data"])')" "2" "embeddings count"
expect_eq "$(echo "$BODY" | json 'len(j["data"][0]["embedding"])')" "1536" "embedding dims"
req POST "$MAIN/embeddings" "${AUTH[@]}" -d '{"model":"text-embedding-3-small","input":"a","encoding_format":"base64"}'
expect_eq "$STATUS" 200 "embeddings base64 status"
expect_eq "$(echo "$BODY" | json 'len(__import__("base64").b64decode(j["data"][0]["embedding"]))')" "6144" \
    "base64 embedding bytes"
pass "embeddings float and base64"

# 6-7. responses, object and stream
req POST "$MAIN/responses" "${AUTH[@]}" -d '{"model":"gpt-4o-mini","input":"Hello"}'
expect_eq "$STATUS" 200 "responses status"
check_common_headers main "responses"
expect_eq "$(echo "$BODY" | json 'j["object"] + " " + j["status"]')" "response completed" "responses object"
req POST "$MAIN/responses" "${AUTH[@]}" -N -d '{"model":"gpt-4o-mini","input":"Hello","stream":true}'
expect_eq "$STATUS" 200 "responses stream status"
EVENTS=$(echo "$BODY" | sed -n 's/^event: //p')
expect_eq "$(echo "$EVENTS" | head -1)" "response.created" "responses stream first event"
expect_eq "$(echo "$EVENTS" | tail -1)" "response.completed" "responses stream last event"
expect_eq "$(echo "$EVENTS" | grep -c '^response.output_text.delta$')" "8" "responses stream deltas"
pass "responses object and stream"

# 8. models
req GET "$MAIN/models" "${AUTH[@]}"
expect_eq "$STATUS" 200 "models status"
check_common_headers main "models"
expect_eq "$(echo "$BODY" | json '",".join(m["id"] for m in j["data"])')" "gpt-4o-mini,text-embedding-3-small" "models"
pass "models"

# 9-15. errors, all with the common headers and an OpenAI error body
req POST "$MAIN/nope" "${AUTH[@]}" -d '{}'
expect_eq "$STATUS" 404 "unknown path status"
check_common_headers main "404"
expect_contains "$(echo "$BODY" | json 'j["error"]["message"]')" "Invalid URL (POST /v1/nope)" "unknown path message"
req POST "$MAIN/chat/completions" "${AUTH[@]}" -d '{"model":"gpt-5","messages":[{"role":"user","content":"x"}]}'
expect_eq "$STATUS" 404 "unknown model status"
expect_eq "$(echo "$BODY" | json 'j["error"]["code"]')" "model_not_found" "unknown model code"
req POST "$MAIN/chat/completions" -d "$CHAT"
expect_eq "$STATUS" 401 "missing key status"
check_common_headers main "401"
expect_contains "$(echo "$BODY" | json 'j["error"]["message"]')" "You didn't provide an API key" "missing key message"
req POST "$MAIN/chat/completions" -H "Authorization: Bearer sk-wrong-key-000" -d "$CHAT"
expect_eq "$STATUS" 401 "wrong key status"
MSG=$(echo "$BODY" | json 'j["error"]["message"]')
expect_contains "$MSG" "Incorrect API key provided: sk-wr" "wrong key message"
[[ "$MSG" != *"sk-wrong-key-000"* ]] || fail "the wrong key is echoed unmasked: $MSG"
expect_eq "$(echo "$BODY" | json 'j["error"]["code"]')" "invalid_api_key" "wrong key code"
req POST "$MAIN/chat/completions" -H "api-key: sk-test-123" -d "$CHAT"
expect_eq "$STATUS" 200 "api-key header status"
req POST "$MAIN/chat/completions" "${AUTH[@]}" -d '{"model":'
expect_eq "$STATUS" 400 "invalid JSON status"
check_common_headers main "400"
expect_eq "$(echo "$BODY" | json 'j["error"]["type"]')" "invalid_request_error" "invalid JSON type"
BIG=$(python3 -c 'print("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x" * 5000 + "\"}]}")')
req POST "$MAIN/chat/completions" "${AUTH[@]}" -d "$BIG"
expect_eq "$STATUS" 413 "too large status"
check_common_headers main "413"
expect_contains "$(echo "$BODY" | json 'j["error"]["message"]')" "too large" "too large message"
pass "errors 404, 401, 400, 413"

# the other deployment: any model, no auth, its own name in the headers
for _ in 1 2; do
    req POST "$OPEN/chat/completions" -d '{"model":"my-model","messages":[{"role":"user","content":"x"}]}'
    expect_eq "$STATUS" 200 "open deployment status"
    check_common_headers open "open deployment"
done
pass "second deployment"

# core paths, no auth needed
req GET "$(base_of main)/health"
expect_eq "$STATUS" 200 "health status"
expect_eq "$BODY" '{"status":"ok"}' "health body"
check_common_headers main "health"
req GET "$(base_of open)/metrics"
expect_eq "$STATUS" 200 "metrics status"
expect_eq "$(header content-type)" "text/plain; version=0.0.4; charset=utf-8" "metrics content-type"
pass "health and metrics without auth"

# /metrics counts exactly what was sent (scraped from either listener: the whole process)
expect_metric() { # series expected
    expect_eq "$(metric main "$1")" "$2" "$1"
}
expect_metric 'mock_requests_total{deployment="main",api="chat",model="gpt-4o-mini",status="200"}' 3
expect_metric 'mock_requests_total{deployment="main",api="completions",model="gpt-4o-mini",status="200"}' 1
expect_metric 'mock_requests_total{deployment="main",api="embeddings",model="text-embedding-3-small",status="200"}' 2
expect_metric 'mock_requests_total{deployment="main",api="responses",model="gpt-4o-mini",status="200"}' 2
expect_metric 'mock_requests_total{deployment="main",api="models",model="",status="200"}' 1
expect_metric 'mock_requests_total{deployment="main",api="unknown",model="",status="404"}' 1
expect_metric 'mock_requests_total{deployment="main",api="chat",model="other",status="404"}' 1
expect_metric 'mock_requests_total{deployment="main",api="chat",model="",status="401"}' 2
expect_metric 'mock_requests_total{deployment="main",api="chat",model="",status="400"}' 1
expect_metric 'mock_requests_total{deployment="main",api="chat",model="",status="413"}' 1
expect_metric 'mock_requests_total{deployment="open",api="chat",model="my-model",status="200"}' 2
TOTAL=$(curl -s "$(base_of main)/metrics" | awk '/^mock_requests_total/ { s += $NF } END { print s }')
expect_eq "$TOTAL" 17 "sum of mock_requests_total"
expect_metric 'mock_inflight_requests{deployment="main"}' 0
expect_metric 'mock_ttft_seconds_count{deployment="main"}' 2
expect_metric 'mock_itl_seconds_count{deployment="main"}' 14
expect_metric 'mock_response_seconds_count{deployment="main"}' 9
pass "metrics match the requests made"

stop_mock
pass "SIGTERM: exit 0 within a second"
