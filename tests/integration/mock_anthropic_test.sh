#!/usr/bin/env bash
# tests/integration/mock_anthropic_test.sh — the Anthropic surface of a real mock-provider over HTTP: the Message
# body, the named event stream byte for byte (frames without ids or words), tool_use with input_json_delta,
# count_tokens, models, x-api-key / Bearer / anthropic-version handling, Anthropic's error bodies (validation,
# 401, 404, 413, 429 and 529 from faults) with request-id, the response headers, and /metrics (api="messages").
source "$(dirname "$0")/mock_lib.sh"

start_mock "
seed: 7
mock:
  threads: 2
  max_body: 64KiB
  deployments:
    - name: an
      provider: anthropic
      models: [claude-sonnet-4-5, claude-haiku-4-5]
      api_keys: [sk-ant-good]
      output_tokens: fixed(4)
      tool_calls: true
      faults:
        - {name: limited, kind: http_error, status: 429, retry_after: 2s, probability: 0%}
        - {name: overloaded, kind: http_error, status: 529, probability: 0%}
        - {name: midway, kind: stream_error, at: {after_chunks: 2}, probability: 0%}
"
AN=$(url_of an)
expect_match "$AN" '^http://127\.0\.0\.1:[0-9]+$' "an Anthropic base URL has no /v1 (the SDKs and LiteLLM add /v1/messages)"
H=(-H "x-api-key: sk-ant-good" -H "anthropic-version: 2023-06-01" -H 'content-type: application/json')
MSG='{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Say hello"}]}'

req() { # METHOD URL [curl args...]: sets STATUS, BODY, HEADERS (names lower-cased, values as sent)
    local method=$1 url=$2
    shift 2
    STATUS=$(curl -s -X "$method" -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' "$@" "$url")
    BODY=$(cat "$TMP/body")
    HEADERS=$(tr -d '\r' <"$TMP/headers" | awk '{ i = index($0, ":"); print i ? tolower(substr($0, 1, i)) substr($0, i + 1) : $0 }')
}
header() {
    echo "$HEADERS" | sed -n "s/^$1: //p" | head -1
}
error_of() { # the body's (type, error.type, error.message, request_id matches request-id)
    echo "$BODY" | json "(j['type'], j['error']['type'], j['error']['message'], j['request_id'] == '$(header request-id)')"
}

# 1. the Message object and the headers
req POST "$AN/v1/messages" "${H[@]}" -d "$MSG"
expect_eq "$STATUS" 200 "messages status"
expect_eq "$(echo "$BODY" | json '(j["type"], j["role"], j["model"], j["content"][0]["type"], j["stop_reason"], j["stop_sequence"])')" \
    "('message', 'assistant', 'claude-sonnet-4-5', 'text', 'end_turn', None)" "message fields"
expect_match "$(echo "$BODY" | json 'j["id"]')" '^msg_01[0-9A-Za-z]{22}$' "message id"
expect_eq "$(echo "$BODY" | json '(j["usage"]["input_tokens"], j["usage"]["output_tokens"], j["usage"]["cache_creation_input_tokens"], j["usage"]["service_tier"])')" \
    "(6, 4, 0, 'standard')" "usage"
expect_match "$(header request-id)" '^req_011C[0-9A-Za-z]{20}$' "request-id"
expect_eq "$(header x-mock-request-id)" "$(header request-id)" "x-mock-request-id"
expect_match "$(header anthropic-organization-id)" '^[0-9a-f-]{36}$' "anthropic-organization-id"
expect_eq "$(header x-mock-deployment)" "an" "x-mock-deployment"
expect_eq "$(header content-length)" "${#BODY}" "content-length"
expect_eq "$(header openai-processing-ms)" "" "no OpenAI headers"
req POST "$AN/v1/messages" -H "authorization: Bearer sk-ant-good" -H "anthropic-version: 2026-10-21" -d "$MSG"
expect_eq "$STATUS" 200 "Bearer key with 2026-10-21"
pass "Message object and headers"

# 2. the event stream, byte for byte where no id or word is involved
req POST "$AN/v1/messages" "${H[@]}" -N -d '{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}'
expect_eq "$STATUS" 200 "stream status"
expect_eq "$(header content-type)" "text/event-stream" "stream content-type"
python3 - "$TMP/body" <<'PY' || fail "stream framing"
import json, re, sys
raw = open(sys.argv[1], 'rb').read().decode()
assert raw.endswith('\n\n') and '\r' not in raw, 'frames end with a blank line, LF only'
frames = raw[:-2].split('\n\n')
events = []
for f in frames:
    ev, data = f.split('\n')
    assert ev.startswith('event: ') and data.startswith('data: '), f
    j = json.loads(data[6:])
    assert j['type'] == ev[7:], f
    events.append((ev[7:], data[6:], j))
names = [e[0] for e in events]
assert names == ['message_start', 'content_block_start', 'ping'] + ['content_block_delta'] * 4 + \
    ['content_block_stop', 'message_delta', 'message_stop'], names
start = events[0][2]['message']
assert re.fullmatch(r'msg_01[0-9A-Za-z]{22}', start['id']) and start['content'] == [] and start['stop_reason'] is None
assert events[1][1] == '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'
assert events[2][1] == '{"type": "ping"}'
for e in events[3:7]:
    assert e[2]['delta']['type'] == 'text_delta' and e[2]['index'] == 0
assert events[7][1] == '{"type":"content_block_stop","index":0}'
assert events[8][1] == ('{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":'
                        '{"input_tokens":4,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":4}}'), events[8][1]
assert events[9][1] == '{"type":"message_stop"}'
PY
pass "event stream framing"

# 3. tool use: the block, its streamed input, and the loop's end in text
TOOLS='"tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]'
req POST "$AN/v1/messages" "${H[@]}" -d "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,$TOOLS,\"messages\":[{\"role\":\"user\",\"content\":\"w\"}]}"
expect_eq "$(echo "$BODY" | json '(j["stop_reason"], j["content"][0]["type"], j["content"][0]["name"], type(j["content"][0]["input"]["city"]).__name__)')" \
    "('tool_use', 'tool_use', 'get_weather', 'str')" "tool_use block"
TOOL_ID=$(echo "$BODY" | json 'j["content"][0]["id"]')
expect_match "$TOOL_ID" '^toolu_01[0-9A-Za-z]{22}$' "tool_use id"
req POST "$AN/v1/messages" "${H[@]}" -N -d "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":true,$TOOLS,\"messages\":[{\"role\":\"user\",\"content\":\"w\"}]}"
python3 - "$TMP/body" <<'PY' || fail "tool stream"
import json, sys
events = [(f.split('\n')[0][7:], json.loads(f.split('\n')[1][6:])) for f in open(sys.argv[1]).read()[:-2].split('\n\n')]
assert events[1][1]['content_block']['type'] == 'tool_use' and events[1][1]['content_block']['input'] == {}
assert events[3][1]['delta'] == {'type': 'input_json_delta', 'partial_json': ''}
parts = ''.join(e[1]['delta']['partial_json'] for e in events if e[0] == 'content_block_delta')
assert isinstance(json.loads(parts)['city'], str), parts
assert events[-2][1]['delta']['stop_reason'] == 'tool_use'
PY
req POST "$AN/v1/messages" "${H[@]}" -d "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,$TOOLS,\"messages\":[{\"role\":\"user\",\"content\":\"w\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"$TOOL_ID\",\"name\":\"get_weather\",\"input\":{}}]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"$TOOL_ID\",\"content\":\"sunny\"}]}]}"
expect_eq "$(echo "$BODY" | json '(j["stop_reason"], j["content"][0]["type"])')" "('end_turn', 'text')" "a tool result is answered in text"
pass "tool use"

# 4. count_tokens and models
req POST "$AN/v1/messages/count_tokens" "${H[@]}" -d '{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Say hello"}]}'
expect_eq "$STATUS $BODY" '200 {"input_tokens":6}' "count_tokens"
req GET "$AN/v1/models" "${H[@]}"
expect_eq "$(echo "$BODY" | json '([m["id"] for m in j["data"]], [m["display_name"] for m in j["data"]], j["has_more"], j["first_id"], j["last_id"])')" \
    "(['claude-sonnet-4-5', 'claude-haiku-4-5'], ['Claude Sonnet 4.5', 'Claude Haiku 4.5'], False, 'claude-sonnet-4-5', 'claude-haiku-4-5')" "models"
req GET "$AN/v1/models/claude-haiku-4-5" "${H[@]}"
expect_eq "$(echo "$BODY" | json '(j["type"], j["id"])')" "('model', 'claude-haiku-4-5')" "one model"
pass "count_tokens and models"

# 5. errors, each in Anthropic's shape with the response's request id
req POST "$AN/v1/messages" -H "anthropic-version: 2023-06-01" -d "$MSG"
expect_eq "$STATUS $(error_of)" "401 ('error', 'authentication_error', 'x-api-key header is required', True)" "no key"
req POST "$AN/v1/messages" -H "x-api-key: nope" -H "anthropic-version: 2023-06-01" -d "$MSG"
expect_eq "$STATUS $(error_of)" "401 ('error', 'authentication_error', 'invalid x-api-key', True)" "wrong key"
req POST "$AN/v1/messages" -H "x-api-key: sk-ant-good" -d "$MSG"
expect_eq "$STATUS $(error_of)" "400 ('error', 'invalid_request_error', 'anthropic-version: header is required', True)" "no version"
req POST "$AN/v1/messages" "${H[@]}" -d '{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"x"}]}'
expect_eq "$STATUS $(error_of)" "400 ('error', 'invalid_request_error', 'max_tokens: Field required', True)" "validation"
req POST "$AN/v1/messages" -H "x-api-key: sk-ant-good" -H "anthropic-version: 2026-10-21" -d '{"model":"claude-sonnet-4-5","max_tokens":5,"temperature":1,"messages":[{"role":"user","content":"x"}]}'
expect_eq "$STATUS $(error_of)" "400 ('error', 'invalid_request_error', 'temperature: Extra inputs are not permitted', True)" "temperature under 2026-10-21"
req POST "$AN/v1/messages" "${H[@]}" -d '{"model":"claude-opus-9","max_tokens":5,"messages":[{"role":"user","content":"x"}]}'
expect_eq "$STATUS $(error_of)" "404 ('error', 'not_found_error', 'model: claude-opus-9', True)" "unknown model"
req POST "$AN/v1/chat/completions" "${H[@]}" -d "$MSG"
expect_eq "$STATUS $(error_of)" "404 ('error', 'not_found_error', 'Not Found', True)" "unknown path"
head -c 70000 /dev/zero | tr '\0' 'a' >"$TMP/big"
req POST "$AN/v1/messages" "${H[@]}" --data-binary @"$TMP/big"
expect_eq "$STATUS $(error_of)" "413 ('error', 'request_too_large', 'Request exceeds the maximum allowed number of bytes.', True)" "413"
req POST "$AN/v1/messages" "${H[@]}" -H "x-mock-fault: limited" -d "$MSG"
expect_eq "$STATUS $(echo "$BODY" | json 'j["error"]["type"]') $(header retry-after)" "429 rate_limit_error 2" "429 fault"
req POST "$AN/v1/messages" "${H[@]}" -H "x-mock-fault: overloaded" -d "$MSG"
expect_eq "$STATUS $(error_of)" "529 ('error', 'overloaded_error', 'Overloaded', True)" "529 fault"
pass "Anthropic errors"

# 5b. stream_error: Anthropic's own event: error after two deltas, then the stream ends (no message_stop)
req POST "$AN/v1/messages" "${H[@]}" -H "x-mock-fault: midway" \
    -d '{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}'
expect_eq "$STATUS" 200 "stream_error status"
expect_eq "$(grep -c '^event: content_block_delta' <<<"$BODY")" 2 "two deltas before the error"
expect_contains "$BODY" $'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' \
    "the in-stream error event"
[[ "$BODY" != *message_stop* ]] || fail "message_stop after the error"
pass "Anthropic stream_error"

# 6. metrics count the surface's apis
req GET "$AN/metrics"
expect_contains "$BODY" 'mock_requests_total{deployment="an",api="messages",model="claude-sonnet-4-5",status="200"} 7' \
    "messages counted"
expect_contains "$BODY" 'mock_requests_total{deployment="an",api="count_tokens",model="claude-sonnet-4-5",status="200"} 1' \
    "count_tokens counted"
expect_contains "$BODY" 'mock_requests_total{deployment="an",api="messages",model="claude-sonnet-4-5",status="529"} 1' \
    "529 counted"
pass "metrics"

stop_mock
pass "Anthropic surface"
