#!/usr/bin/env bash
# tests/integration/mock_admin_test.sh — the admin API of the real mock-provider (docs/faults.md, "Admin API"):
# every endpoint round trip; invalid PUT / PATCH refused with a 400 naming the field and nothing changed; fixed
# fields; bounds (body size, journal, ?limit=); updates under load (h2load at a few hundred requests per second
# while latency and faults are patched again and again: no failed request beyond the faults asked for) and a
# stream in flight keeping the latency it started with; the journal's content; reset; token enforcement; a
# non-loopback admin address without a token refused.
source "$(dirname "$0")/mock_lib.sh"

start_mock "
mock:
  threads: 2
  admin: {listen: 127.0.0.1:0, journal: 8}
  deployments:
    - name: live
      output_tokens: fixed(4)
      latency: {ttft: 10ms}
      faults:
        - {name: once, kind: http_error, status: 503, first: 1, routes: [embeddings]}
        - {name: asked, kind: http_error, status: 502, probability: 0%}
    - name: other
      provider: anthropic
"
ADMIN=$(sed -n 's|^mock-provider: admin listening on \(http[^ ]*\)$|\1|p' "$TMP/mock.out")
[ -n "$ADMIN" ] || fail "no admin ready line in: $(cat "$TMP/mock.out")"
expect_match "$ADMIN" '^http://127\.0\.0\.1:[1-9][0-9]*/admin$' "the admin ready line names the bound port"
URL=$(url_of live)
CHAT='{"model":"m","messages":[{"role":"user","content":"hi"}]}'

# req METHOD PATH [BODY [curl args...]]: sets CODE and BODY (of the admin API)
req() {
    local method=$1 path=$2 data=${3-}
    shift 3 2>/dev/null || shift $#
    if [ -n "$data" ]; then
        CODE=$(curl -s -m 10 -o "$TMP/ab" -w '%{http_code}' -X "$method" --data-binary "$data" "$@" "$ADMIN$path")
    else
        CODE=$(curl -s -m 10 -o "$TMP/ab" -w '%{http_code}' -X "$method" "$@" "$ADMIN$path")
    fi
    BODY=$(cat "$TMP/ab")
}

# chat [curl args]: one chat request to deployment live; sets CODE, TIME, HDR
chat() {
    rm -f "$TMP/h"
    read -r CODE TIME < <(curl -s -m 10 -D "$TMP/h" -o /dev/null -w '%{http_code} %{time_total}' \
        -H 'content-type: application/json' -d "$CHAT" "$@" "$URL/chat/completions")
    HDR=$(tr 'A-Z' 'a-z' <"$TMP/h" | tr -d '\r')
}

# ---- reading ----------------------------------------------------------------------------------------------
req GET /deployments
expect_eq "$CODE" "200" "GET /admin/deployments"
expect_eq "$(echo "$BODY" | json '[d["name"] for d in j["deployments"]]')" "['live', 'other']" "every deployment"
req GET /deployments/live
expect_eq "$(echo "$BODY" | json '(j["latency"], j["output_tokens"], [f["name"] for f in j["faults"]])')" \
    "({'ttft': '10ms'}, 'fixed(4)', ['once', 'asked'])" "one deployment in the shape of the YAML"
req GET /deployments/live/faults
expect_eq "$(echo "$BODY" | json '[f["kind"] for f in j]')" "['http_error', 'http_error']" "GET faults"
req GET /deployments/nope
expect_eq "$CODE" "404" "unknown deployment"
expect_contains "$BODY" 'no deployment \"nope\"' "the 404 names it"
req DELETE /deployments/live
expect_eq "$CODE" "405" "DELETE of a deployment is not allowed"
req GET /nothing
expect_eq "$CODE" "404" "unknown path"
pass "reading"

# ---- updates: PATCH, PUT, faults ---------------------------------------------------------------------------
req PATCH /deployments/live '{"latency": {"itl": "1ms"}}'
expect_eq "$CODE" "200" "PATCH"
req GET /deployments/live
expect_eq "$(echo "$BODY" | json '(j["latency"], len(j["faults"]))')" "({'ttft': '10ms', 'itl': '1ms'}, 2)" \
    "PATCH merged into the current settings"
req PUT /deployments/other '{"output_tokens": 2, "latency": {"ttft": "1ms"}}'
expect_eq "$CODE" "200" "PUT"
req GET /deployments/other
expect_eq "$(echo "$BODY" | json 'sorted(j.items())')" \
    "[('latency', {'ttft': '1ms'}), ('name', 'other'), ('output_tokens', 2), ('provider', 'anthropic')]" \
    "PUT replaced the whole deployment (name and provider kept)"
req PUT /deployments/other/faults '[{"name": "p", "kind": "http_error", "status": 500, "probability": "0%"}]'
expect_eq "$CODE" "200" "PUT faults"
req GET /deployments/other/faults
expect_eq "$(echo "$BODY" | json '[f["name"] for f in j]')" "['p']" "GET faults after PUT"
req DELETE /deployments/other/faults
expect_eq "$CODE" "200" "DELETE faults"
req GET /deployments/other/faults
expect_eq "$BODY" "[]" "no faults after DELETE"
pass "PUT, PATCH and faults round trips"

# ---- invalid updates change nothing -------------------------------------------------------------------------
req GET /deployments/live
BEFORE=$BODY
req PATCH /deployments/live '{"faults": [{"kind": "http_error", "status": 503}, {"kind": "stall", "duration": "soon"}]}'
expect_eq "$CODE" "400" "an invalid fault"
expect_contains "$BODY" 'faults[1].duration' "the 400 names the field"
req PUT /deployments/live '{"latency": {"ttft": "lognormal(80ms"}}'
expect_eq "$CODE" "400" "an invalid PUT"
expect_contains "$BODY" 'latency' "the 400 names the field"
req PATCH /deployments/live '{"latncy": {}}'
expect_contains "$BODY" 'unknown key \"latncy\" (did you mean \"latency\"?' "an unknown key"
req PATCH /deployments/live '{"listen": "127.0.0.1:1"}'
expect_eq "$CODE" "400" "listen cannot change"
expect_contains "$BODY" "listen: the deployment listens on" "the 400 says listen cannot change"
expect_contains "$BODY" "cannot change at runtime" "the 400 says why"
req PATCH /deployments/live '{"provider": "gemini"}'
expect_contains "$BODY" "provider: the provider is openai: it cannot change at runtime" "provider cannot change"
req PATCH /deployments/live '{"name": "x"}'
expect_contains "$BODY" 'name: the deployment is \"live\": it cannot change at runtime' "name cannot change"
req PATCH /deployments/live '{"latency": '
expect_eq "$CODE" "400" "broken JSON"
expect_match "$BODY" 'body:[0-9]+:[0-9]+: ' "a JSON syntax error has line:col"
python3 -c 'import sys; sys.stdout.write("{\"seed\": 1" + " " * (1024 * 1024) + "}")' >"$TMP/big.json"
CODE=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -X PATCH --data-binary "@$TMP/big.json" "$ADMIN/deployments/live")
expect_eq "$CODE" "413" "a body over 1 MiB"
req GET /deployments/live
expect_eq "$BODY" "$BEFORE" "GET after the refused updates: nothing changed"
pass "invalid updates refused with the field named, nothing changed"

# ---- the journal, x-mock-fault and reset --------------------------------------------------------------------
req POST /reset
expect_eq "$CODE" "200" "POST /admin/reset"
req GET /requests
expect_eq "$(echo "$BODY" | json 'len(j["requests"])')" "0" "the journal is empty after a reset"
chat -H 'x-mock-fault: asked'
expect_eq "$CODE" "502" "the fault asked for"
RID=$(echo "$HDR" | sed -n 's/^x-mock-request-id: //p')
expect_contains "$HDR" "x-mock-fault: asked" "the fault named in the response"
req GET '/requests?limit=1'
expect_eq "$(echo "$BODY" | json '[(r["deployment"], r["route"], r["model"], r["status"], r["fault"], r["request_id"]) for r in j["requests"]]')" \
    "[('live', 'chat', 'm', 502, 'asked', '$RID')]" "the journal entry of a faulted request"
expect_eq "$(echo "$BODY" | json 'j["requests"][0]["client"].startswith("127.0.0.1:") and j["requests"][0]["latency_ms"] >= 0')" \
    "True" "client address and latency in the journal"
EMB='{"model":"e","input":"x"}'
emb() { curl -s -m 10 -o /dev/null -w '%{http_code}' -d "$EMB" -H 'content-type: application/json' "$URL/embeddings"; }
expect_eq "$(emb) $(emb)" "503 200" "first: 1 faults the first embeddings request only"
req POST /reset
expect_eq "$(emb) $(emb)" "503 200" "after a reset the first N count again"
req PATCH /deployments/live '{"latency": {"ttft": "11ms"}}'
expect_eq "$(emb)" "200" "a PATCH that leaves the faults alone keeps their counters (first: 1 is used up)"
req PATCH /deployments/live '{"latency": {"ttft": "10ms"}, "faults": [{"name": "once", "kind": "http_error", "status": 503, "first": 2, "routes": ["embeddings"]}, {"name": "asked", "kind": "http_error", "status": 502, "probability": "0%"}]}'
expect_eq "$(emb) $(emb) $(emb)" "503 503 200" "a changed fault list starts afresh"
pass "journal entry, x-mock-fault and reset"

# Bounds: 8 entries per thread (2 threads), ?limit= clamped to what is kept, filters checked.
for _ in $(seq 1 40); do chat; done
req GET '/requests?limit=1000'
N=$(echo "$BODY" | json 'len(j["requests"])')
fcmp "8 <= $N <= 16" || fail "the journal returned $N entries, expected 8 to 16 (8 per thread)"
expect_eq "$(echo "$BODY" | json 'all(a["time"] <= b["time"] + 1 for a, b in zip(j["requests"], j["requests"][1:]))')" "True" \
    "entries in time order"
req GET '/requests?limit=3'
expect_eq "$(echo "$BODY" | json 'len(j["requests"])')" "3" "?limit=3"
req GET '/requests?deployment=other'
expect_eq "$(echo "$BODY" | json 'len(j["requests"])')" "0" "?deployment= filters"
req GET '/requests?limit=0'
expect_eq "$CODE" "400" "?limit=0"
req GET '/requests?limit=99999999999'
expect_eq "$CODE" "400" "?limit= too long"
req GET '/requests?deployment=nope'
expect_eq "$CODE" "404" "?deployment= unknown"
req GET '/requests?x=1'
expect_eq "$CODE" "400" "unknown parameter"
req GET '/requests?limit=1&limit=2'
expect_eq "$CODE $(echo "$BODY" | json 'j["error"]["message"]')" "400 limit given twice" "a parameter twice"
req GET '/deployments?limit=1'
expect_eq "$CODE" "400" "a query string where none is read"
pass "journal bounds and filters"

# ---- a stream in flight keeps its latency; new requests get the new one -------------------------------------
req PATCH /deployments/live '{"latency": {"ttft": "10ms", "itl": "300ms"}}'
SCHAT='{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}'
curl -s -m 20 -N -o /dev/null -w '%{time_total}' -d "$SCHAT" -H 'content-type: application/json' \
    "$URL/chat/completions" >"$TMP/slow" &
SLOW=$!
sleep 0.3
req PATCH /deployments/live '{"latency": {"itl": "1ms"}}'
expect_eq "$CODE" "200" "PATCH while a stream is in flight"
read -r _ FAST < <(curl -s -m 10 -N -o /dev/null -w '%{http_code} %{time_total}' -d "$SCHAT" \
    -H 'content-type: application/json' "$URL/chat/completions")
wait "$SLOW"
OLD=$(cat "$TMP/slow")
fcmp "$OLD >= 0.89" || fail "the stream in flight took $OLD s: it did not keep its 3 x 300 ms itl"
fcmp "$FAST < 0.6 * $SCALE" || fail "a stream after the PATCH took $FAST s (itl 1ms)"
pass "the stream in flight kept its latency ($OLD s); the next one got the new one ($FAST s)"

# ---- updates under load --------------------------------------------------------------------------------------
req PUT /deployments/live '{"output_tokens": "fixed(4)", "latency": {"ttft": "5ms"}}'
printf '%s' "$CHAT" >"$TMP/chat.json"
F0=$(metric live 'mock_faults_total{deployment="live",kind="http_error"}')
timeout 120 h2load --h1 -n 2000 -c 4 -t 1 --rps 100 -d "$TMP/chat.json" -H 'content-type: application/json' \
    "$URL/chat/completions" >"$TMP/h2load.out" 2>&1 &
LOAD=$!
sleep 0.3
PUBLISHED=0
for i in $(seq 1 20); do
    if ((i % 2)); then
        req PATCH /deployments/live '{"latency": {"ttft": "8ms"}, "faults": [{"name": "storm", "kind": "http_error", "status": 503, "first": 2}]}'
        PUBLISHED=$((PUBLISHED + 1))
    else
        req PATCH /deployments/live '{"latency": {"ttft": "5ms"}, "faults": null}'
    fi
    expect_eq "$CODE" "200" "PATCH $i under load"
    sleep 0.1
done
wait "$LOAD" || fail "h2load failed: $(cat "$TMP/h2load.out")"
F1=$(metric live 'mock_faults_total{deployment="live",kind="http_error"}')
LINE=$(grep '^requests:' "$TMP/h2load.out")
CODES=$(grep '^status codes:' "$TMP/h2load.out")
expect_match "$LINE" ' 2000 done,' "every request done"
expect_match "$LINE" ' 0 errored, 0 timeout' "no request errored"
N5=$(echo "$CODES" | sed -n 's/.* \([0-9]*\) 5xx.*/\1/p')
N2=$(echo "$CODES" | sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p')
expect_eq "$((N2 + N5))" "2000" "every response 2xx or a 5xx asked for ($CODES)"
fcmp "$N5 <= 2 * $PUBLISHED" || fail "$N5 503s for $PUBLISHED fault sets of first: 2"
expect_eq "$N5" "$((${F1:-0} - ${F0:-0}))" "every 5xx was a fault counted in mock_faults_total"
pass "20 updates under load: $LINE; $CODES ($PUBLISHED fault sets of first: 2)"

# Limits added at runtime: /metrics reads the current quota engine.
req PATCH /deployments/live '{"limits": {"rpm": 7}}'
expect_eq "$CODE" "200" "PATCH limits"
expect_eq "$(metric live 'mock_ratelimit_limit_requests{deployment="live"}')" "7" "the limits series follow the new engine"
req PATCH /deployments/live '{"models": ["x"]}'
expect_eq "$CODE" "400" "models cannot change (metric label slots)"
pass "limits at runtime in /metrics; models fixed"

# ---- token ----------------------------------------------------------------------------------------------------
stop_mock
start_mock "
mock:
  admin: {listen: 127.0.0.1:0, token: s3cret}
  deployments: [{name: t}]
"
ADMIN=$(sed -n 's|^mock-provider: admin listening on \(http[^ ]*\)$|\1|p' "$TMP/mock.out")
req GET /deployments
expect_eq "$CODE" "401" "no token"
req GET /deployments "" -H 'Authorization: Bearer wrong'
expect_eq "$CODE" "401" "a wrong token"
req GET /deployments "" -H 'Authorization: Bearer s3cret'
expect_eq "$CODE" "200" "the token"
stop_mock
pass "token enforced"

# ---- concurrency limits replaced under load ---------------------------------------------------------------
# Requests queued on the old engine still get their slots (each engine lives until the last request it
# admitted or queued is done). One worker thread: with two, the concurrency queue itself can leave requests
# waiting for good on a loaded CPU (also without the admin API: main at d7c0062 hangs 1 run in 10 of 800
# requests, -c 8, concurrency 2, 2 threads, 3 busy loops beside), a separate bug this test must not hide.
start_mock "
mock:
  threads: 1
  admin: {listen: 127.0.0.1:0}
  deployments:
    - {name: live, output_tokens: fixed(4), latency: {ttft: 5ms}, limits: {concurrency: 2, queue: 16}}
"
ADMIN=$(sed -n 's|^mock-provider: admin listening on \(http[^ ]*\)$|\1|p' "$TMP/mock.out")
URL=$(url_of live)
timeout 120 h2load --h1 -n 800 -c 8 -t 1 -d "$TMP/chat.json" -H 'content-type: application/json' \
    "$URL/chat/completions" >"$TMP/h2load.out" 2>&1 &
LOAD=$!
for i in $(seq 1 10); do
    req PATCH /deployments/live "{\"limits\": {\"concurrency\": $((2 + i % 2)), \"queue\": 16}}"
    expect_eq "$CODE" "200" "PATCH limits $i under load"
    sleep 0.1
done
wait "$LOAD" || fail "h2load failed: $(cat "$TMP/h2load.out")"
expect_match "$(grep '^status codes:' "$TMP/h2load.out")" '^status codes: 800 2xx' "every queued request served"
pass "concurrency limits replaced under load: $(grep '^requests:' "$TMP/h2load.out")"

stop_mock

printf 'mock:\n  deployments: [{name: a}]\n' >"$TMP/plain.yaml"
RC=0
"$MOCK_PROVIDER" --config "$TMP/plain.yaml" --admin 0.0.0.0:0 >"$TMP/o" 2>&1 || RC=$?
expect_eq "$RC" "2" "--admin on a non-loopback address without a token"
expect_contains "$(cat "$TMP/o")" "is not a loopback address: set a token" "the reason"
printf 'mock:\n  admin: {listen: "[::]:0"}\n  deployments: [{name: a}]\n' >"$TMP/open.yaml"
RC=0
"$MOCK_PROVIDER" --config "$TMP/open.yaml" --check >"$TMP/o" 2>&1 || RC=$?
expect_eq "$RC" "2" "mock.admin.listen on a non-loopback address without a token"
expect_contains "$(cat "$TMP/o")" "mock.admin.listen: admin listen" "the config error names the key"
printf 'mock:\n  admin: {listen: "0.0.0.0:0", token: x}\n  deployments: [{name: a}]\n' >"$TMP/tok.yaml"
"$MOCK_PROVIDER" --config "$TMP/tok.yaml" --check >/dev/null || fail "a non-loopback address with a token is valid"
pass "non-loopback without a token refused"
echo "PASS"
