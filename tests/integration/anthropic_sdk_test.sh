#!/usr/bin/env bash
# The official Anthropic TypeScript SDK (pinned in tests/sdk/package-lock.json) drives a real mock-provider
# Anthropic deployment: messages (body, stream helper, raw events), a tool use loop, thinking, count_tokens,
# models, and the SDK's error classes, 429 and 529 included (from faults the requests name), and its retries.
# node and the SDK come from `ci/install-deps.sh --test` (`npm ci` in tests/sdk); without them the test fails
# and says so: it never skips.
set -uo pipefail  # not -e: the sourced mock_lib cleanup trap tolerates failing kills
: "${MOCK_PROVIDER:?}" "${SOAK_SOURCE_DIR:?}"

sdk=$SOAK_SOURCE_DIR/tests/sdk
if ! command -v node >/dev/null; then
    echo "FAIL: node is not installed (run ci/install-deps.sh --test)" >&2
    exit 1
fi
if [[ ! -f $sdk/node_modules/@anthropic-ai/sdk/package.json ]]; then
    echo "FAIL: the Anthropic SDK is not installed in $sdk/node_modules (run ci/install-deps.sh --test)" >&2
    exit 1
fi

source "$SOAK_SOURCE_DIR/tests/integration/mock_lib.sh"
start_mock '
mock:
  deployments:
    - name: an
      provider: anthropic
      listen: "127.0.0.1:0"
      api_keys: [sk-ant-good, sk-ant-retry]
      models: [claude-sonnet-4-5, claude-haiku-4-5]
      output_tokens: 6
      tool_calls: true
      seed: 1
      limits: {rpm: 10000, tpm: 5M}
      faults:
        - {name: limited, kind: http_error, status: 429, retry_after: 1s, probability: 0%}
        - {name: overloaded, kind: http_error, status: 529, probability: 0%}
        - {kind: http_error, status: 529, keys: [sk-ant-retry], first: 2}
' --threads 1
timeout 120 node "$sdk/anthropic_sdk_check.mjs" "$(url_of an)" || fail "the Anthropic SDK check failed"
stop_mock
pass "Anthropic TypeScript SDK $(node -p "require('$sdk/node_modules/@anthropic-ai/sdk/package.json').version") against every endpoint"
