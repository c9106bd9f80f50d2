#!/usr/bin/env bash
# The official Google Gen AI SDK (@google/genai, pinned in tests/sdk/package-lock.json) drives a Gemini API and
# a Vertex AI deployment of a real mock-provider (tests/sdk/genai_sdk_check.mjs): generateContent and its
# stream, thinking (thought parts), function calls, structured output, chats, embeddings, countTokens, models, and ApiError for Google's
# errors (injected 429 and 503 included). node and the SDK come from `ci/install-deps.sh --test`; without them
# the test fails and says so: it never skips.
set -uo pipefail # not -e: the sourced mock_lib cleanup trap tolerates failing kills
: "${MOCK_PROVIDER:?}" "${SOAK_SOURCE_DIR:?}"

sdk=$SOAK_SOURCE_DIR/tests/sdk
if ! command -v node >/dev/null; then
    echo "FAIL: node is not installed (run ci/install-deps.sh --test)" >&2
    exit 1
fi
if [[ ! -f $sdk/node_modules/@google/genai/package.json ]]; then
    echo "FAIL: @google/genai is not installed in $sdk/node_modules (run ci/install-deps.sh --test)" >&2
    exit 1
fi

source "$SOAK_SOURCE_DIR/tests/integration/mock_lib.sh"
start_mock '
mock:
  deployments:
    - name: gm
      provider: gemini
      listen: "127.0.0.1:0"
      output_tokens: 5
      api_keys: [gm-key]
      models: [gemini-2.0-flash, text-embedding-004]
      tool_calls: true
      seed: 1
      faults:
        - {name: rate, kind: http_error, status: 429, retry_after: 7s, probability: 0%}
        - {name: busy, kind: http_error, status: 503, probability: 0%}
    - name: vx
      provider: vertex
      listen: "127.0.0.1:0"
      output_tokens: 3
      api_keys: [vx-token]
      project: proj-1
      location: us-central1
      tool_calls: true
      seed: 2
      faults:
        - {name: rate, kind: http_error, status: 429, probability: 0%}
' --threads 1
timeout 120 node "$sdk/genai_sdk_check.mjs" "$(url_of gm)" "$(url_of vx)" || fail "the @google/genai check failed"
stop_mock
pass "@google/genai $(node -p "require('$sdk/node_modules/@google/genai/package.json').version") against the Gemini API and Vertex AI surfaces"
