#!/usr/bin/env bash
# The official OpenAI Node SDK (pinned in tests/sdk/package-lock.json) drives every endpoint of a real
# mock-provider: chat (n, stream, include_usage, tool calls, stop sequences), completions, embeddings (float and base64),
# Responses (object, event stream, function calls, reasoning items and summaries; reasoning before a function
# call or a structured answer, and an agent loop's second turn that gives the reasoning item back), models, and
# the 400/401/404 error classes, errors inside streams (chat raises them; a Responses stream ends in its typed
# error event); AzureOpenAI's request ids and its retries on Azure's 429 (retry-after-ms).
# node and the SDK come from `ci/install-deps.sh --test` (Debian's nodejs, `npm ci` in tests/sdk); without
# them the test fails and says so: it never skips.
set -uo pipefail  # not -e: the sourced mock_lib cleanup trap tolerates failing kills
: "${MOCK_PROVIDER:?}" "${SOAK_SOURCE_DIR:?}"

sdk=$SOAK_SOURCE_DIR/tests/sdk
if ! command -v node >/dev/null; then
    echo "FAIL: node is not installed (run ci/install-deps.sh --test)" >&2
    exit 1
fi
if [[ ! -f $sdk/node_modules/openai/package.json ]]; then
    echo "FAIL: the OpenAI SDK is not installed in $sdk/node_modules (run ci/install-deps.sh --test)" >&2
    exit 1
fi

source "$SOAK_SOURCE_DIR/tests/integration/mock_lib.sh"
start_mock '
mock:
  deployments:
    - name: a
      listen: "127.0.0.1:0"
      output_tokens: 6
      tool_calls: true
      seed: 1
      faults:
        - {name: cut, kind: stream_error, at: {after_chunks: 2}, probability: 0%}
    - {name: b, listen: "127.0.0.1:0", api_keys: [sk-good], models: [gpt-4o, gpt-4o-mini], limits: {rpm: 10000, tpm: 5M}}
    - {name: c, listen: "127.0.0.1:0", output_tokens: 6, tool_calls: {parallel: 3}, seed: 3}
    - {name: e, listen: "127.0.0.1:0", output_tokens: 100, content: echo}
    - name: az
      provider: azure
      listen: "127.0.0.1:0"
      api_keys: [az-key, az-retry]
      models: [gpt-4o-prod, embed-prod]
      faults:
        - {name: throttled, kind: http_error, status: 429, retry_after: 200ms, probability: 0%}
        - {kind: http_error, status: 429, retry_after: 200ms, keys: [az-retry], first: 2}
' --threads 1
timeout 120 node "$sdk/openai_sdk_check.mjs" "$(url_of a)" "$(url_of b)" "$(url_of c)" "$(url_of e)" || fail "the OpenAI SDK check failed"
timeout 60 node "$sdk/azure_sdk_check.mjs" "$(url_of az)" || fail "the AzureOpenAI check failed"
stop_mock
pass "OpenAI Node SDK $(node -p "require('$sdk/node_modules/openai/package.json').version") against every endpoint, OpenAI and Azure"
