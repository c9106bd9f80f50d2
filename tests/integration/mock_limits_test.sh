#!/usr/bin/env bash
# tests/integration/mock_limits_test.sh — per-deployment limits of a real mock-provider over HTTP: exact
# request and token quotas across worker threads, OpenAI's and Azure's 429 bodies and headers, rate-limit
# headers on successful answers, Retry-After policies, per-key counters, the concurrency limit with its
# queue (a queued request waits, a full queue is the provider's overloaded error), and the metrics.
source "$(dirname "$0")/soak_lib.sh"

start_mock "
mock:
  threads: 2
  deployments:
    - {name: rpm, limits: {rpm: 6}, output_tokens: fixed(3)}
    - {name: tpm, limits: {tpm: 100}, output_tokens: fixed(3)}
    - {name: az, provider: azure, limits: {rpm: 60, window: azure}, output_tokens: fixed(2)}
    - {name: date, limits: {rpm: 1, retry_after: http-date}, output_tokens: fixed(2)}
    - {name: keys, limits: {rpm: 2, per_key: true}, output_tokens: fixed(2)}
    - {name: busy, limits: {concurrency: 1, queue: 1}, latency: {ttft: 400ms}, output_tokens: fixed(1)}
    - {name: load, limits: {rpm: 100}, output_tokens: fixed(1)}
    - {name: gm, provider: gemini, limits: {rpm: 1, retry_after: none}, output_tokens: fixed(1)}
    - {name: an, provider: anthropic, limits: {rpm: 1, tpm: 10000}, output_tokens: fixed(1)}
"
CHAT='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
json() {
    python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"
}
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

# 1. rpm 6: six answers with the remaining count going down, then OpenAI's 429 with its headers
RPM=$(url_of rpm)
for i in 1 2 3 4 5 6; do
    req POST "$RPM/chat/completions" -d "$CHAT"
    expect_eq "$STATUS" 200 "request $i within the quota"
    expect_eq "$(header x-ratelimit-limit-requests)" 6 "x-ratelimit-limit-requests"
    expect_eq "$(header x-ratelimit-remaining-requests)" $((6 - i)) "x-ratelimit-remaining-requests after $i"
    expect_match "$(header x-ratelimit-reset-requests)" '^[0-9.]+(ms|s|m[0-9.]+s)$' "x-ratelimit-reset-requests"
done
req POST "$RPM/chat/completions" -d "$CHAT"
expect_eq "$STATUS" 429 "the seventh request in the minute"
expect_eq "$(echo "$BODY" | json '(j["error"]["type"], j["error"]["code"])')" "('requests', 'rate_limit_exceeded')" \
    "429 type and code"
expect_contains "$BODY" "Rate limit reached for gpt-4o-mini in organization user-soakrig on requests per min (RPM): Limit 6, Used 6, Requested 1. Please try again in " "429 message"
expect_match "$(header retry-after)" '^[0-9]+$' "retry-after in seconds"
RA=$(header retry-after)
fcmp "55 <= $RA <= 60" || fail "retry-after $RA: the first admission leaves the window in about 60 s"
expect_eq "$(header x-ratelimit-remaining-requests)" 0 "remaining on the 429"
expect_match "$(header x-mock-request-id)" '^req_[0-9a-f]{32}$' "429 has the ground-truth headers"
pass "rpm: OpenAI's 429 and headers"

# 2. tpm 100: the charge is the prompt estimate plus max_tokens, corrected to the real usage
TPM=$(url_of tpm)
BIG='{"model":"m","max_tokens":60,"messages":[{"role":"user","content":"hi"}]}'
req POST "$TPM/chat/completions" -d "$BIG"
expect_eq "$STATUS" 200 "first tpm request (charged ~61, settled to ~4)"
expect_eq "$(header x-ratelimit-limit-tokens)" 100 "x-ratelimit-limit-tokens"
req POST "$TPM/chat/completions" -d "$BIG"
expect_eq "$STATUS" 200 "second tpm request fits once the first was settled"
req POST "$TPM/chat/completions" -d '{"model":"m","max_tokens":99,"messages":[{"role":"user","content":"hi"}]}'
expect_eq "$STATUS" 429 "a charge over what is left"
expect_eq "$(echo "$BODY" | json 'j["error"]["type"]')" "tokens" "tokens 429 type"
expect_contains "$BODY" "on tokens per min (TPM): Limit 100" "tokens 429 message"
pass "tpm: charge and settlement"

# 3. Azure: rpm 60 enforced as 10 per 10 s, Azure's 429 with retry-after and retry-after-ms
AZ=$(url_of az)
for i in $(seq 1 10); do
    req POST "$AZ/openai/deployments/d/chat/completions?api-version=2024-10-21" -d "$CHAT"
    expect_eq "$STATUS" 200 "azure request $i"
done
expect_eq "$(header x-ratelimit-remaining-requests)" 0 "azure remaining"
[ -z "$(header x-ratelimit-reset-requests)" ] || fail "Azure sends no reset header"
req POST "$AZ/openai/deployments/d/chat/completions?api-version=2024-10-21" -d "$CHAT"
expect_eq "$STATUS" 429 "the eleventh in 10 s"
expect_eq "$(echo "$BODY" | json 'j["error"]["code"]')" "429" "azure code"
expect_contains "$BODY" "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded call rate limit" "azure message"
expect_match "$(header retry-after)" '^([1-9]|10)$' "azure retry-after"
expect_match "$(header retry-after-ms)" '^[0-9]+$' "azure retry-after-ms"
pass "azure: 10 per 10 s"

# 4. retry_after: http-date
DATE=$(url_of date)
req POST "$DATE/chat/completions" -d "$CHAT"
req POST "$DATE/chat/completions" -d "$CHAT"
expect_eq "$STATUS" 429 "date: second request"
expect_match "$(header retry-after)" '^[a-z]{3}, [0-9]{2} [a-z]{3} [0-9]{4} [0-9:]{8} gmt$' "retry-after as an HTTP-date"
pass "retry_after: http-date"

# 5. per_key: each key has its own two requests a minute
KEYS=$(url_of keys)
for k in a a b b; do
    req POST "$KEYS/chat/completions" -H "Authorization: Bearer $k" -d "$CHAT"
    expect_eq "$STATUS" 200 "key $k within its quota"
done
req POST "$KEYS/chat/completions" -H "Authorization: Bearer a" -d "$CHAT"
expect_eq "$STATUS" 429 "key a over its quota"
pass "per_key"

# 6. concurrency 1 with a queue of 1: one runs, one waits for it, the third is refused at once (503)
BUSY=$(url_of busy)
PIDS=()
for i in 1 2 3; do
    curl -s --max-time 10 -o "$TMP/busy$i" -w '%{http_code} %{time_total}\n' -X POST "$BUSY/chat/completions" \
        -d "$CHAT" >"$TMP/busy$i.st" &
    PIDS+=($!)
    sleep 0.1
done
wait "${PIDS[@]}"
read -r S1 T1 <"$TMP/busy1.st"
read -r S2 T2 <"$TMP/busy2.st"
read -r S3 T3 <"$TMP/busy3.st"
expect_eq "$S1 $S2 $S3" "200 200 503" "run, queued, refused"
fcmp "$T2 >= 0.65" || fail "the queued request took ${T2}s: it should wait for the first (0.4 s) and then take 0.4 s"
fcmp "$T3 < 0.3 * $SCALE" || fail "the refusal took ${T3}s"
expect_contains "$(cat "$TMP/busy3")" "The engine is currently overloaded" "overloaded body"
pass "concurrency with a queue"

# 7. Gemini: RESOURCE_EXHAUSTED with the wait in the body (RetryInfo), no retry header under retry_after: none
GM=$(url_of gm)
GBODY='{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}'
req POST "$GM/v1beta/models/gemini-2.5-flash:generateContent" -H "x-goog-api-key: k" -d "$GBODY"
expect_eq "$STATUS" 200 "gemini first"
req POST "$GM/v1beta/models/gemini-2.5-flash:generateContent" -H "x-goog-api-key: k" -d "$GBODY"
expect_eq "$STATUS" 429 "gemini second"
expect_eq "$(echo "$BODY" | json '(j["error"]["code"], j["error"]["status"])')" "(429, 'RESOURCE_EXHAUSTED')" "gemini 429"
expect_contains "$BODY" "type.googleapis.com/google.rpc.RetryInfo" "gemini RetryInfo"
[ -z "$(header retry-after)" ] || fail "retry_after: none sends no retry-after"
pass "gemini: RESOURCE_EXHAUSTED"

# 8. Anthropic: anthropic-ratelimit-* with RFC 3339 resets on every answer; rate_limit_error with retry-after
AN=$(url_of an)
ABODY='{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}'
AH=(-H "anthropic-version: 2023-06-01" -H "x-api-key: k")
req POST "$AN/v1/messages" "${AH[@]}" -d "$ABODY"
expect_eq "$STATUS" 200 "anthropic first"
expect_eq "$(header anthropic-ratelimit-requests-limit)" 1 "anthropic-ratelimit-requests-limit"
expect_eq "$(header anthropic-ratelimit-requests-remaining)" 0 "anthropic-ratelimit-requests-remaining"
expect_match "$(header anthropic-ratelimit-requests-reset)" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}t[0-9:]{8}z$' \
    "anthropic-ratelimit-requests-reset (RFC 3339)"
expect_eq "$(header anthropic-ratelimit-tokens-limit)" 10000 "anthropic-ratelimit-tokens-limit"
req POST "$AN/v1/messages" "${AH[@]}" -d "$ABODY"
expect_eq "$STATUS" 429 "anthropic second"
expect_eq "$(echo "$BODY" | json '(j["type"], j["error"]["type"])')" "('error', 'rate_limit_error')" "anthropic 429"
expect_contains "$BODY" "of 1 requests per minute" "anthropic 429 message"
expect_match "$(header retry-after)" '^[0-9]+$' "anthropic retry-after"
pass "anthropic: rate-limit headers and 429"

# 9. exact across threads: rpm 100 under 300 requests from many connections on both worker threads
LOAD=$(url_of load)
run_soak load --url "$LOAD" --rate 300/s --duration 1s --seed 4 --quiet --json "$TMP/load.json" --expect 'failure_rate<=100%'
expect_eq "$(jq_py "$TMP/load.json" 'j["requests"]["total"]')" "300" "soak sent 300"
M=$(curl -s "${LOAD%/v1}/metrics")
expect_contains "$M" 'mock_requests_total{deployment="load",api="chat",model="gpt-4o-mini",status="200"} 100' \
    "exactly 100 admitted"
# Every other request that reached the mock was refused (a sanitizer build may abort a few at the end of the
# run before they arrive; the quota's exactness does not depend on that).
R429=$(grep -F 'mock_requests_total{deployment="load",api="chat",model="gpt-4o-mini",status="429"}' <<<"$M" | awk '{print $2}')
fcmp "150 <= ${R429:-0} <= 200" || fail "$R429 refusals for 300 requests at 100 RPM"
expect_contains "$M" "mock_rate_limited_total{deployment=\"load\",limit=\"requests\"} $R429" "mock_rate_limited_total"
expect_contains "$M" 'mock_ratelimit_window_requests{deployment="load"} 100' "window usage"
expect_contains "$M" 'mock_ratelimit_limit_requests{deployment="load"} 100' "limit gauge"
expect_contains "$M" 'mock_rate_limited_total{deployment="busy",limit="concurrency"} 1' "concurrency refusals"
pass "exact across threads, metrics"

stop_mock
pass "deployment limits"
