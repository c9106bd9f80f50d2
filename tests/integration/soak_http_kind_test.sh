#!/usr/bin/env bash
# tests/integration/soak_http_kind_test.sh — the generic request kind (api: http) against the real mock-provider:
# GET /metrics (after the host) and GET /v1/models with checks, a raw chat completion POSTed as JSON, a 404
# path counted ok under expect_status 404 (and as http_4xx without it), a contains check that fails (bad_body),
# the flags of `soak load --api http`, and config errors with their line and column. Counts come from the JSON
# summary and from the mock's own metrics.
source "$(dirname "$0")/soak_lib.sh"

start_mock "
mock:
  threads: 1
  deployments:
    - name: oa
      provider: openai
      models: [gpt-4o-mini]
      output_tokens: fixed(3)
"
OA=$(url_of oa)

# ---- a file mixing every case: 100 requests over 5 templates of equal weight (a seeded pick) ----
cat >"$TMP/mixed.yaml" <<YAML
name: http-kind
seed: 11
load:
  target: $OA
  arrival: {constant: 100/s}
  requests:
    - {name: metrics, api: http, path: /metrics, base: host, contains: "mock_requests_total"}
    - {name: models, api: http, method: GET, path: /models, json: true, contains: '"object":"list"'}
    - name: chat-raw
      api: http
      method: POST
      path: /chat/completions
      headers: {X-Soak-Kind: raw}
      body: '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "{{uuid}} #{{seq}} {{random 1..9}}"}]}'
      json: true
      contains: '"chat.completion"'
    - {name: missing, api: http, path: /no/such/path, expect_status: [404]}
    - {name: wrong-text, api: http, path: /models, contains: "no such text"}
expect: []
YAML
run_soak load --config "$TMP/mixed.yaml" --duration 1s --quiet --json "$TMP/mixed.json"
expect_eq "$RC" "0" "mixed http run exit status ($(cat "$TMP/soak.err"))"
by_req() { # NAME FIELD: the by_request count FIELD of template NAME
    jq_py "$TMP/mixed.json" "[r for r in j['by_request'] if r['name'] == '$1'][0]['$2']"
}
expect_eq "$(jq_py "$TMP/mixed.json" 'j["requests"]["total"]')" "100" "every arrival sent"
for name in metrics models chat-raw missing wrong-text; do
    fcmp "$(by_req "$name" total) >= 5" || fail "$name: only $(by_req "$name" total) of 100 requests"
done
for name in metrics models chat-raw missing; do
    expect_eq "$(by_req "$name" ok)" "$(by_req "$name" total)" "$name: every request ok"
done
WRONG=$(by_req wrong-text total)
expect_eq "$(by_req wrong-text failed)" "$WRONG" "wrong-text: every request failed"
expect_eq "$(jq_py "$TMP/mixed.json" 'j["requests"]["ok"]')" "$((100 - WRONG))" "the other templates' requests ok"
expect_eq "$(jq_py "$TMP/mixed.json" 'j["errors"].get("bad_body", 0)')" "$WRONG" "the failing contains check is bad_body"
expect_eq "$(jq_py "$TMP/mixed.json" 'len(j["by_model"])')" "0" "no model for http requests"
CHAT=$(curl -s "$(base_of oa)/metrics" | awk '/^mock_requests_total\{/ && /api="chat"/ && /status="200"/ { s += $NF } END { printf "%d\n", s }')
expect_eq "$CHAT" "$(by_req chat-raw total)" "the raw bodies were valid chat completions (200 from the mock)"
pass "api: http from a file: GET with checks, a raw POST, an expected 404, a failing contains"

# ---- the same 404 without expect_status is an http_4xx; an unexpected 200 is http_other ----
run_soak load --url "$OA" --api http --path /no/such/path --rate 20/s --duration 1s --quiet --json "$TMP/404.json"
expect_eq "$RC" "1" "unexpected 404s fail the default verdict"
expect_eq "$(jq_py "$TMP/404.json" 'j["errors"].get("http_4xx", 0)')" "20" "404 without expect_status: http_4xx"
run_soak load --url "$OA" --api http --path /models --expect-status 404 --rate 20/s --duration 1s --quiet \
    --json "$TMP/200.json"
expect_eq "$(jq_py "$TMP/200.json" 'j["errors"].get("http_other", 0)')" "20" "a 200 where 404 is expected: http_other"
pass "statuses outside expect_status keep their class"

# ---- every method against a local server that logs what it got (tests/integration/http_echo.py) ----
EPORT=$(free_port)
python3 "$SOAK_SOURCE_DIR/tests/integration/http_echo.py" "$EPORT" "$TMP/echo.log" >"$TMP/echo.out" 2>&1 &
sr_track $!
sr_wait_port "$EPORT" || fail "http_echo did not start"
ECHO=http://127.0.0.1:$EPORT/v1
# each METHOD, with a body or not: N requests, all ok, and the server saw exactly that method and body
for spec in "GET::" "HEAD::" "DELETE::" "OPTIONS::" "POST::" "PUT::" "PATCH::" \
    "POST:{\"id\": {{seq}}, \"k\": \"{{random hex 8}}\"}:" "DELETE:{\"why\": \"t\"}:" "GET:q={{random 1..9}}:"; do
    method=${spec%%:*}
    rest=${spec#*:}
    body=${rest%:}
    : >"$TMP/echo.log"
    args=(load --url "$ECHO" --api http --method "$method" --path "/m/$method" --header "X-Soak: $method"
        --rate 20/s --duration 0.5s --quiet --json "$TMP/m.json" --expect 'failure_rate<=0%')
    [ -n "$body" ] && args+=(--body "$body")
    [ "$method" != HEAD ] && args+=(--check-json --contains "\"method\": \"$method\"")
    run_soak "${args[@]}"
    expect_eq "$RC" "0" "$method ${body:+with a body }exit status ($(cat "$TMP/soak.err"))"
    expect_eq "$(jq_py "$TMP/m.json" 'j["requests"]["ok"]')" "10" "$method: every request ok"
    expect_eq "$(awk -v m="$method" '$1 == m && $2 == "/v1/m/" m && $5 == m' "$TMP/echo.log" | wc -l)" "10" \
        "$method: the server saw 10 of them with the header"
    if [ -n "$body" ]; then
        expect_eq "$(awk '$4 == "application/json" && $3 > 0' "$TMP/echo.log" | wc -l)" "10" "$method: a JSON body"
        [[ $body == *seq* ]] && expect_eq "$(grep -cE '"id": [0-9]+, "k": "[0-9a-f]{8}"' "$TMP/echo.log")" "10" \
            "$method: the body template rendered"
    else
        expect_eq "$(awk '$3 != 0' "$TMP/echo.log" | wc -l)" "0" "$method: no body"
    fi
done
pass "every method, with and without a body, header and checks"

# statuses: ranges and lists; a 2 MiB answer passes contains (in its first 1 MiB) but fails json (over the cap)
run_soak load --url "$ECHO" --api http --path /status/503 --expect-status '200-299,500-503' --rate 20/s \
    --duration 0.5s --quiet --json "$TMP/s.json" --expect 'failure_rate<=0%'
expect_eq "$RC" "0" "503 within an expected range ($(cat "$TMP/soak.err"))"
run_soak load --url "$ECHO" --api http --path /big --base host --contains '"pad": "xxx' --rate 10/s --duration 0.5s --quiet \
    --json "$TMP/big1.json" --expect 'failure_rate<=0%'
expect_eq "$RC" "0" "contains is found in the first 1 MiB of a 2 MiB body ($(cat "$TMP/soak.err"))"
run_soak load --url "$ECHO" --api http --path /big --base host --check-json --rate 10/s --duration 0.5s --quiet \
    --json "$TMP/big2.json"
expect_eq "$(jq_py "$TMP/big2.json" 'j["errors"].get("bad_body", 0)')" "5" "a JSON body over the cap fails its check"
expect_contains "$(cat "$TMP/soak.err")" "over the 1 MiB kept for checks" "the first error says why"
# an absolute URL ignores the target
run_soak load --url http://127.0.0.1:1/v1 --api http --path "http://127.0.0.1:$EPORT/abs" --rate 10/s \
    --duration 0.5s --quiet --json "$TMP/abs.json" --expect 'failure_rate<=0%'
expect_eq "$RC" "0" "an absolute URL ($(cat "$TMP/soak.err"))"
pass "status ranges, the response cap, absolute URLs"

# a server naming its deployment with bytes that are not UTF-8, controls and markup: every report stays valid
run_soak load --url "$ECHO" --api http --path /odd --base host --rate 10/s --duration 0.5s --quiet \
    --json "$TMP/odd.json" --jsonl "$TMP/odd.jsonl" --junit "$TMP/odd.xml" --html "$TMP/odd.html"
expect_eq "$RC" "0" "a hostile deployment name ($(cat "$TMP/soak.err"))"
expect_eq "$(reports_valid "$TMP/odd.json" "$TMP/odd.jsonl" "$TMP/odd.xml" "$TMP/odd.html")" "ok" "reports valid"
expect_eq "$(jq_py "$TMP/odd.json" 'ascii(list(j["deployments"]))')" \
    "['d\\ufffd</script><!--]]>\"\\'\\\\??\\ufffd(']" "bytes that are not UTF-8 become U+FFFD, controls '?'"
pass "a deployment named with bytes that are not UTF-8"

# ---- soak run: target: deployments (the router) and target: gateway (the echo server as the gateway) ----
cat >"$TMP/run-deps.yaml" <<YAML
name: http-deps
seed: 3
duration: 1s
mock:
  threads: 1
  deployments:
    - {name: a, provider: openai, models: [m], output_tokens: fixed(2)}
    - {name: b, provider: openai, models: [m], output_tokens: fixed(2)}
load:
  target: deployments
  arrival: {constant: 40/s}
  requests:
    - {api: http, path: /models, contains: '"id":"m"'}
    - {api: http, method: POST, path: /chat/completions, body: {model: m, messages: [{role: user, content: "{{uuid}}"}]}, json: true}
expect:
  - {metric: failure_rate, max: 0%}
report: {dir: "$TMP/reports/{{name}}", formats: [json]}
YAML
run_soak run --quiet "$TMP/run-deps.yaml"
expect_eq "$RC" "0" "soak run with target: deployments ($(tail -3 "$TMP/soak.err"))"
expect_eq "$(jq_py "$TMP/reports/http-deps/summary.json" 'j["requests"]["ok"]')" "40" "deployments: every request ok"
expect_eq "$(jq_py "$TMP/reports/http-deps/summary.json" 'len(j["deployments"])')" "2" "the router used both deployments"
cat >"$TMP/run-gw.yaml" <<YAML
name: http-gw
duration: 1s
gateway:
  command: [python3, "$SOAK_SOURCE_DIR/tests/integration/http_echo.py", "{{gateway.port}}", "$TMP/gw.log"]
  ready: {log: "http_echo: listening"}
load:
  target: gateway
  arrival: {constant: 20/s}
  requests:
    - {api: http, path: /spend/logs, base: host, json: true}
expect:
  - {metric: failure_rate, max: 0%}
report: {dir: "$TMP/reports/{{name}}", formats: [json]}
YAML
run_soak run --quiet "$TMP/run-gw.yaml"
expect_eq "$RC" "0" "soak run with target: gateway ($(tail -3 "$TMP/soak.err"))"
expect_eq "$(grep -c '^GET /spend/logs 0 ' "$TMP/gw.log")" "20" "the gateway got GET /spend/logs 20 times"
pass "api: http in soak run scenarios"

# ---- mistakes: file:line:col for the file, the flag's name for flags ----
cat >"$TMP/bad.yaml" <<'YAML'
load:
  target: http://127.0.0.1:1/v1
  arrival: {constant: 1/s}
  requests:
    - {api: http, path: /x, expect_status: [200, 700]}
YAML
run_soak load --check --config "$TMP/bad.yaml"
expect_eq "$RC" "2" "a bad status is a config error"
expect_contains "$(cat "$TMP/soak.err")" "bad.yaml:5:50: load.requests[0].expect_status[1]: \"700\": expected a status" \
    "the bad status is named at its line and column"
cat >"$TMP/bad2.yaml" <<'YAML'
load:
  target: http://127.0.0.1:1/v1
  arrival: {constant: 1/s}
  requests:
    - {api: http, path: /x, prompt: hi}
YAML
run_soak load --check --config "$TMP/bad2.yaml"
expect_eq "$RC" "2" "an LLM key on api: http is a config error"
expect_contains "$(cat "$TMP/soak.err")" "bad2.yaml:5:37: load.requests[0].prompt: not for api: http" "LLM key refused"
run_soak load --url "$OA" --api http --rate 1/s --duration 1s
expect_eq "$RC" "2" "--api http without --path"
expect_contains "$(cat "$TMP/soak.err")" "--api http needs --path" "the missing --path is named"
run_soak load --url "$OA" --path /x --rate 1/s --duration 1s
expect_eq "$RC" "2" "--path without --api http"
expect_contains "$(cat "$TMP/soak.err")" "--path goes with --api http" "--path alone is refused"
pass "api: http configuration errors"

pass "soak api: http against the mock"
