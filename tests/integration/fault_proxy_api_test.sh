#!/usr/bin/env bash
# fault-proxy's command line and control API over HTTP: --help, --version, --check (exit 0 and 2 with
# file:line:col), toxiproxy's API round trips with curl (create with port 0 and the real port in the answer,
# toxics, update, delete, reset, populate, version), 400s that name the field and change nothing, the body
# size bound (413), the bearer token, and a non-loopback API refused without a token.
ITEST_NAME=fault_proxy_api
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fp_lib.sh"

# --- command line
"$FAULT_PROXY" --help | grep -q -- '--api HOST:PORT' || fail "--help"
expect_match "$("$FAULT_PROXY" --version)" '^fault-proxy [0-9]+\.[0-9]+' "--version"
printf 'proxies:\n  - {name: a, upstream: "127.0.0.1:6379"}\n' >"$TMP/ok.yaml"
"$FAULT_PROXY" --check --config "$TMP/ok.yaml" >/dev/null || fail "--check of a valid file"
printf 'proxies:\n  - name: a\n    upstream: "127.0.0.1:6379"\n    toxics: [{type: latency, attributes: {jitter: soon}}]\n' \
    >"$TMP/bad.yaml"
rc=0
out=$("$FAULT_PROXY" --check --config "$TMP/bad.yaml" 2>&1) || rc=$?
expect_eq "$rc" 2 "--check exit status for a bad file"
expect_contains "$out" "bad.yaml:4:" "--check position"
expect_contains "$out" "proxies[0].toxics[0].attributes.jitter" "--check field path"
rc=0
out=$("$FAULT_PROXY" --check -c 2>&1) || rc=$?
expect_eq "$rc $out" "2 fault-proxy: --config needs a value
Try 'fault-proxy --help'." "a flag without its value"
: >"$TMP/empty.yaml"
rc=0
out=$(timeout 10 "$FAULT_PROXY" --check --config "$TMP/empty.yaml" 2>&1) || rc=$?
expect_eq "$rc $out" "2 $TMP/empty.yaml: the file is empty (expected proxies: or a list of proxies)" "--check of an empty file"
rc=0
"$FAULT_PROXY" --no-such-flag >/dev/null 2>&1 || rc=$?
expect_eq "$rc" 2 "exit status for an unknown flag"
rc=0
out=$("$FAULT_PROXY" --api 0.0.0.0:0 2>&1) || rc=$?
expect_eq "$rc" 2 "exit status for a non-loopback API without a token"
expect_contains "$out" "give --token" "non-loopback API message"
# a port past 65535 or negative is refused, not wrapped (atoi made 99999 port 34463), by --check too; --no-api
# beside --api or --token is a conflict, not a silent choice
for args in "--api 127.0.0.1:99999" "--api 127.0.0.1:-1" "--check --config $TMP/ok.yaml --api 127.0.0.1:70000"; do
    rc=0
    out=$(timeout 10 "$FAULT_PROXY" $args 2>&1) || rc=$?
    expect_eq "$rc" 2 "exit status for $args"
    expect_contains "$out" "--api: invalid port" "message for $args"
done
# an empty token passed for one off loopback (anyone got in with "Bearer ")
rc=0
out=$(timeout 10 "$FAULT_PROXY" --api 0.0.0.0:0 --token '' 2>&1) || rc=$?
expect_eq "$rc $out" "2 fault-proxy: --token: empty" "an empty --token"
rc=0
out=$(timeout 10 "$FAULT_PROXY" --no-api --token t 2>&1) || rc=$?
expect_eq "$rc $out" "2 fault-proxy: --no-api cannot be combined with --token" "--no-api with --token"
pass "command line"

# --- API round trips
start_upstream
start_fproxy "proxies: []"
req() { # METHOD PATH [BODY]: prints "STATUS BODY"
    local args=(-s -o "$TMP/body" -w '%{http_code}' -X "$1" "$FP_API$2")
    [ $# -ge 3 ] && args+=(--data-binary "$3")
    local status
    status=$(curl "${args[@]}")
    echo "$status $(cat "$TMP/body")"
}
out=$(req POST /proxies "{\"name\": \"up\", \"listen\": \"127.0.0.1:0\", \"upstream\": \"127.0.0.1:$UPSTREAM_PORT\"}")
expect_match "$out" '^201 \{"name":"up","listen":"127\.0\.0\.1:[1-9][0-9]*"' "create proxy (real port in the answer)"
port=$(sed 's/.*"listen":"127.0.0.1:\([0-9]*\)".*/\1/' <<<"$out")
expect_eq "$(python3 -c "
import socket; s = socket.create_connection(('127.0.0.1', $port), timeout=5); s.sendall(b'echo\nhi')
print(s.recv(10).decode())")" "hi" "data through the created proxy"
expect_match "$(req POST /proxies "{\"name\": \"up\", \"upstream\": \"127.0.0.1:1\"}")" '^409 .*proxy already exists' "duplicate"
expect_match "$(req POST /proxies '{"name": "x", "upstream": "127.0.0.1:1", "listen": "127.0.0.1:99999"}')" \
    '^400 .*listen: invalid port' "bad listen"
expect_match "$(req POST /proxies/up/toxics '{"type": "latency", "attributes": {"latency": "soon"}}')" \
    '^400 .*attributes\.latency' "bad attribute names the field"
expect_match "$(req GET /proxies/up/toxics)" '^200 \[\]$' "nothing changed by the bad toxic"
expect_match "$(req POST /proxies/up/toxics '{"name": "slow", "type": "latency", "stream": "upstream", "toxicity": 1.0, "attributes": {"latency": 50}}')" \
    '^200 \{"name":"slow","type":"latency","stream":"upstream","toxicity":1,"attributes":\{"latency":50,"jitter":0\}\}$' "create toxic"
expect_match "$(req PATCH /proxies/up/toxics/slow '{"attributes": {"jitter": 5}}')" '"latency":50,"jitter":5' "update toxic"
expect_match "$(req GET /proxies/up)" '"toxics":\[\{"name":"slow"' "proxy shows its toxics"
expect_match "$(req DELETE /proxies/up/toxics/slow)" '^204 $' "delete toxic"
expect_match "$(req DELETE /proxies/up/toxics/slow)" '^404 .*toxic not found' "delete missing toxic"
expect_match "$(req POST /proxies/up '{"enabled": false}')" '^200 .*"enabled":false' "disable"
rc=0
python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), timeout=2)" 2>/dev/null || rc=$?
[ "$rc" -ne 0 ] || fail "a disabled proxy still accepts"
req POST /proxies/up/toxics '{"type": "down"}' >/dev/null
expect_match "$(req POST /reset)" '^204 $' "reset"
expect_match "$(req GET /proxies/up)" '"enabled":true,"protocol":"tcp","toxics":\[\]' "reset enables and clears"
expect_match "$(req POST /populate "[{\"name\": \"a\", \"listen\": \"127.0.0.1:0\", \"upstream\": \"127.0.0.1:$UPSTREAM_PORT\"}]")" \
    '^201 \{"proxies":\[\{"name":"a"' "populate"
expect_match "$(req GET /version)" '^200 \{"version": "' "version"
expect_match "$(req GET /metrics)" 'fault_proxy_connections_total\{proxy="up"\} 1' "metrics count the connection"
expect_match "$(req DELETE /proxies/a)" '^204 $' "delete proxy"
expect_match "$(req GET /proxies/a)" '^404 ' "deleted proxy is gone"
big=$(head -c 70000 /dev/zero | tr '\0' 'a')
expect_match "$(req POST /proxies "{\"name\": \"$big\"}")" '^413 ' "a body over 64 KiB"
expect_match "$(req PUT /proxies/up)" '^405 \{"error":"method not allowed"' "PUT: a JSON 405 (was evhttp's HTML 501)"
expect_match "$(req GET '/proxies/u%70')" '^200 \{"name":"up"' "a percent-encoded name"
pass "API round trips"
stop_fproxy

# --- bearer token
start_fproxy "proxies: []" --token s3cret
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$FP_API/proxies")" 401 "no token"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer wrong' "$FP_API/proxies")" 401 "wrong token"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer s3cret' "$FP_API/proxies")" 200 "token"
pass "bearer token"
stop_fproxy
echo "fault_proxy_api: all checks passed"
