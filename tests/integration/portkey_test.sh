#!/usr/bin/env bash
# A gateway load-balancing two 60 RPM deployments sees exactly 120 successes in a minute (issue 9): the
# Portkey gateway from npm (pinned in tests/sdk/package-lock.json), started on a loopback port, balances chat
# completions over two OpenAI deployments of a real mock-provider (limits: {rpm: 60}, sliding windows, two
# worker threads) with a loadbalance config in its x-portkey-config header (equal weights, custom_host).
#
# The minute counted, so that the count is exact and does not depend on timing:
#   window 1  240 requests at 40/s (6 s, 2,400/min): every admission lies inside the first 60 s of the
#             deployments' windows, so each admits exactly 60 of what it is sent, provided Portkey sends it
#             at least 60 (its pick is random per request; 240 at 1/2 each fall below 60 with p < 1e-13, and
#             the test says so if it ever happens). Client side: 120 answers 2xx and 120 are 429; mock side:
#             60 admitted and the rest refused per deployment, and exactly 240 requests arrived (Portkey
#             neither retried nor fell back: the config has no retry, and every answer says
#             x-portkey-retry-attempt-count 0).
# That the quota is per minute and not a total (the window slides and admits again 60 s after each admission)
# is the quota engine's, checked on a fake clock in tests/unit/mock-provider/quota/quota_test.c; this test does
# not wait a minute for it (`ci/soak.sh configs/gateway-lb.yaml 5m` shows it through Portkey, minute after minute).
# Portkey passes the 429's status and retry-after through and rewrites its body ("openai error: ..." plus
# "provider"); that is not checked here (tests/integration/mock_limits_test.sh checks the mock's own).
# node and the package come from `ci/install-deps.sh --test`; without them the test fails, never skips.
set -uo pipefail
: "${MOCK_PROVIDER:?}" "${SOAK_SOURCE_DIR:?}"

sdk=$SOAK_SOURCE_DIR/tests/sdk
gateway_js=$sdk/node_modules/@portkey-ai/gateway/build/start-server.js
if ! command -v node >/dev/null; then
    echo "FAIL: node is not installed (run ci/install-deps.sh --test)" >&2
    exit 1
fi
if [[ ! -f $gateway_js ]]; then
    echo "FAIL: the Portkey gateway is not installed in $sdk/node_modules (run ci/install-deps.sh --test)" >&2
    exit 1
fi

source "$SOAK_SOURCE_DIR/tests/integration/mock_lib.sh"
start_mock '
mock:
  threads: 2
  deployments:
    - {name: a, listen: "127.0.0.1:0", limits: {rpm: 60}, output_tokens: fixed(3)}
    - {name: b, listen: "127.0.0.1:0", limits: {rpm: 60}, output_tokens: fixed(3)}
'

# The gateway: its own port flag, --headless (no UI), bound to loopback by the preload, no proxy from the
# environment (it would send custom_host traffic through it). It makes no other connection: under strace it
# connects to the two mocks only.
port=$(free_port)
(cd "$sdk" && exec env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy \
    node --require "$sdk/listen_loopback.cjs" "$gateway_js" --port="$port" --headless) >"$TMP/gateway.out" 2>&1 &
sr_track $!
sr_wait_port "$port" 20 || fail "the Portkey gateway did not listen on 127.0.0.1:$port: $(tail -5 "$TMP/gateway.out")"
GW=http://127.0.0.1:$port

CONFIG=$(printf '{"strategy":{"mode":"loadbalance"},"targets":[%s,%s]}' \
    "{\"provider\":\"openai\",\"api_key\":\"sk-a\",\"custom_host\":\"$(url_of a)\",\"weight\":1}" \
    "{\"provider\":\"openai\",\"api_key\":\"sk-b\",\"custom_host\":\"$(url_of b)\",\"weight\":1}")

m() { metric a "$1"; }
served() { m "mock_requests_total{deployment=\"$1\",api=\"chat\",model=\"gpt-4o-mini\",status=\"$2\"}"; }
limited() { m "mock_rate_limited_total{deployment=\"$1\",limit=\"requests\"}"; }

# window N EXPECTED_A200 EXPECTED_B200: one burst of 240 and its checks, cumulative on the mock's side.
window() {
    local n=$1 a_ok=$2 b_ok=$3 out
    out=$(timeout 60 node "$sdk/portkey_send.mjs" "$GW" "$CONFIG" 240 40) || fail "window $n: the client failed: $out"
    echo "window $n: $out"
    expect_eq "$(echo "$out" | json 'j["sent"]')" 240 "window $n: requests sent"
    expect_eq "$(echo "$out" | json 'sorted(j["status"].items())')" "[('200', 120), ('429', 120)]" \
        "window $n: statuses through Portkey (exactly 120 successes)"
    expect_eq "$(echo "$out" | json 'list(j["retry_attempts"].items())')" "[('0', 240)]" \
        "window $n: x-portkey-retry-attempt-count (no retries)"
    local a b
    a=$(echo "$out" | json 'sum(j["by_target"].get("config.targets[0]", {}).values())')
    b=$(echo "$out" | json 'sum(j["by_target"].get("config.targets[1]", {}).values())')
    [[ $a -ge 60 && $b -ge 60 ]] ||
        fail "window $n: Portkey sent $a and $b requests to the two targets: one got fewer than its quota of 60"
    expect_eq "$(served a 200)/$(served b 200)" "$a_ok/$b_ok" "window $n: 200s counted by the mock (a/b)"
    local total=$(($(served a 200) + $(served a 429) + $(served b 200) + $(served b 429)))
    expect_eq "$total" $((240 * n)) "window $n: requests that reached the mock (no retry, no fallback)"
    expect_eq "$(($(limited a) + $(limited b)))" $((120 * n)) "window $n: mock_rate_limited_total{limit=requests}"
}

window 1 60 60
pass "Portkey $(node -p "require('$sdk/node_modules/@portkey-ai/gateway/package.json').version") balancing two 60 RPM deployments: 120 successes and 120 429s in the minute, no retries"
