#!/usr/bin/env bash
# Ids across processes (issue 8): two runs of mock-provider with the same seed answer the same requests with
# the same content but different chatcmpl-/resp_/msg_/call_ ids, so stores keyed by id do not collide
# between CI runs; within one run every response id is new.
set -uo pipefail  # not -e: the sourced mock_lib cleanup trap tolerates failing kills
: "${MOCK_PROVIDER:?}" "${SOAK_SOURCE_DIR:?}"
source "$SOAK_SOURCE_DIR/tests/integration/mock_lib.sh"

CONFIG='
mock:
  deployments:
    - {name: a, listen: "127.0.0.1:0", output_tokens: 5, tool_calls: true, seed: 7}
'
CHAT='{"model":"m","messages":[{"role":"user","content":"hi"}]}'
RESP='{"model":"m","input":"hi"}'
TOOL='{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]}'

# req METHOD URL [curl args...]: sets STATUS and BODY (loopback only, bounded by curl's timeout)
req() {
    local method=$1 url=$2
    shift 2
    STATUS=$(curl -s -m 10 -X "$method" -o "$TMP/body" -w '%{http_code}' "$@" "$url")
    BODY=$(cat "$TMP/body")
}

# run N: one process, three requests; writes ids and contents to $TMP/run$N
run() {
    start_mock "$CONFIG" --threads 1
    local u
    u=$(url_of a)
    req POST "$u/chat/completions" -H 'content-type: application/json' -d "$CHAT"
    expect_eq "$STATUS" 200 "chat"
    echo "$BODY" | json 'j["id"] + " " + j["choices"][0]["message"]["content"]' >"$TMP/run$1"
    req POST "$u/responses" -H 'content-type: application/json' -d "$RESP"
    expect_eq "$STATUS" 200 "responses"
    echo "$BODY" | json 'j["id"] + " " + j["output"][0]["id"] + " " + j["output_text"]' >>"$TMP/run$1"
    req POST "$u/chat/completions" -H 'content-type: application/json' -d "$TOOL"
    expect_eq "$STATUS" 200 "tool call"
    echo "$BODY" | json 'j["choices"][0]["message"]["tool_calls"][0]["id"] + " " + j["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]' >>"$TMP/run$1"
    req POST "$u/chat/completions" -H 'content-type: application/json' -d "$CHAT"
    echo "$BODY" | json 'j["id"]' >>"$TMP/run$1"
    stop_mock
}

run 1
run 2
# Content (everything after the ids on each line) is the same; no id is.
for line in 1 2 3; do
    a=$(sed -n "${line}p" "$TMP/run1")
    b=$(sed -n "${line}p" "$TMP/run2")
    ids_a=$(tr ' ' '\n' <<<"$a" | grep -E '^(chatcmpl-|resp_|msg_|call_)')
    ids_b=$(tr ' ' '\n' <<<"$b" | grep -E '^(chatcmpl-|resp_|msg_|call_)')
    [ -n "$ids_a" ] || fail "line $line has no id: $a"
    expect_eq "$(tr ' ' '\n' <<<"$a" | grep -vE '^(chatcmpl-|resp_|msg_|call_)')" \
        "$(tr ' ' '\n' <<<"$b" | grep -vE '^(chatcmpl-|resp_|msg_|call_)')" "content of line $line across runs"
    for id in $ids_a; do
        grep -qF -- "$id" "$TMP/run2" && fail "id $id repeats across processes"
    done
done
# Within a run, two identical requests get two ids.
[ "$(sed -n 1p "$TMP/run1" | cut -d' ' -f1)" != "$(sed -n 4p "$TMP/run1")" ] || fail "chat id repeats within a run"
pass "same seed, same content, new ids in every process: $(head -c 60 "$TMP/run1")..."
