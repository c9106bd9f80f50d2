#!/usr/bin/env bash
# The official OpenAI Node SDK (pinned in tests/sdk/package-lock.json) drives every endpoint of a real
# mock-provider: chat (n, stream, include_usage, tool calls), completions, embeddings (float and base64),
# Responses (object, event stream, function calls), models, and the 400/401/404 error classes.
# Needs node and the npm registry; without them the test is reported as skipped (exit 77), never passed.
set -uo pipefail  # not -e: the sourced mock_lib cleanup trap tolerates failing kills
: "${MOCK_PROVIDER:?}" "${SOAK_SOURCE_DIR:?}"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "SKIP: node/npm not installed"
    exit 77
fi
deps="${SOAK_SDK_CACHE:-${TMPDIR:-/tmp}/soakrig-sdk-$(id -u)}"
mkdir -p "$deps"
cp "$SOAK_SOURCE_DIR/tests/sdk/package.json" "$SOAK_SOURCE_DIR/tests/sdk/package-lock.json" "$deps/"
if [[ ! -d "$deps/node_modules/openai" ]]; then
    if ! (cd "$deps" && timeout 300 npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1); then
        echo "SKIP: npm could not install the SDK (registry unreachable?):"
        tail -n 5 "$deps/npm.log"
        exit 77
    fi
fi
cp "$SOAK_SOURCE_DIR/tests/sdk/openai_sdk_check.mjs" "$deps/"

source "$SOAK_SOURCE_DIR/tests/integration/mock_lib.sh"
start_mock '
mock:
  deployments:
    - {name: a, listen: "127.0.0.1:0", output_tokens: 6, tool_calls: true, seed: 1}
    - {name: b, listen: "127.0.0.1:0", api_keys: [sk-good], models: [gpt-4o, gpt-4o-mini]}
' --threads 1
timeout 120 node "$deps/openai_sdk_check.mjs" "$(url_of a)" "$(url_of b)" || fail "the OpenAI SDK check failed"
stop_mock
pass "OpenAI Node SDK $(node -p "require('$deps/node_modules/openai/package.json').version") against every endpoint"
