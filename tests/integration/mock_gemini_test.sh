#!/usr/bin/env bash
# tests/integration/mock_gemini_test.sh — the Gemini API and Vertex AI surfaces of a real mock-provider over
# HTTP: generateContent bodies, the alt=sse stream and the JSON-array stream byte for byte (response ids
# masked), x-goog-api-key / ?key= / Bearer, Google's error bodies (unknown field, bad key, missing key, unknown
# model, wrong project and location, an injected 429 with RetryInfo, errors of a JSON-array stream as arrays),
# embeddings, countTokens, models, headers and /metrics with api="generate_content".
source "$(dirname "$0")/mock_lib.sh"

start_mock "
seed: 7
mock:
  threads: 2
  deployments:
    - name: gm
      provider: gemini
      models: [gemini-2.0-flash, text-embedding-004]
      api_keys: [gk]
      content: echo
      output_tokens: fixed(2)
      faults:
        - {name: rate, kind: http_error, status: 429, retry_after: 3s, probability: 0%}
    - name: vx
      provider: vertex
      api_keys: [vt]
      project: proj-1
      location: us-central1
      content: echo
      output_tokens: fixed(2)
      faults:
        - {name: rate, kind: http_error, status: 429, probability: 0%}
"
GM=$(url_of gm)
VX=$(url_of vx)
expect_match "$GM" '^http://127\.0\.0\.1:[0-9]+$' "a Gemini endpoint is host:port (clients append /v1beta)"
M=gemini-2.0-flash
HELLO='{"contents":[{"role":"user","parts":[{"text":"Hello world"}]}]}'
VPATH=v1/projects/proj-1/locations/us-central1/publishers/google/models/$M

req() { # METHOD URL [curl args...]: sets STATUS, BODY (response ids and createTime masked), HEADERS
    local method=$1 url=$2
    shift 2
    STATUS=$(curl -s -X "$method" -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' "$@" "$url")
    sed -E 's/"responseId": "[0-9A-Za-z]{20}"/"responseId": "ID"/g;
        s/"createTime": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z"/"createTime": "T"/g' "$TMP/body" >"$TMP/masked"
    BODY=$(cat "$TMP/masked")
    HEADERS=$(tr -d '\r' <"$TMP/headers" | tr 'A-Z' 'a-z')
}
same_bytes() { # EXPECTED_FILE what: the masked body is exactly the file
    cmp -s "$1" "$TMP/masked" || fail "$2: expected $(od -c "$1" | tail -3), got $(od -c "$TMP/masked" | tail -3)"
}
header() {
    echo "$HEADERS" | sed -n "s/^$1: //p" | head -1
}

# 1. a body, pretty-printed as Google's are
req POST "$GM/v1beta/models/$M:generateContent" -H 'x-goog-api-key: gk' -d "$HELLO"
expect_eq "$STATUS" 200 "generateContent status"
expect_eq "$BODY" '{
  "candidates": [
    {
      "content": {
        "role": "model",
        "parts": [
          {
            "text": "Hello world"
          }
        ]
      },
      "finishReason": "STOP",
      "index": 0
    }
  ],
  "usageMetadata": {
    "promptTokenCount": 3,
    "candidatesTokenCount": 2,
    "totalTokenCount": 5,
    "promptTokensDetails": [
      {
        "modality": "TEXT",
        "tokenCount": 3
      }
    ]
  },
  "modelVersion": "gemini-2.0-flash",
  "responseId": "ID"
}' "generateContent body"
expect_eq "$(header content-type)" "application/json" "content-type"
expect_eq "$(header x-content-type-options)" "nosniff" "Google's headers"
expect_eq "$(header vary)" "origin, x-origin, referer" "vary"
expect_eq "$(header x-mock-deployment)" "gm" "x-mock-deployment"
expect_match "$(header x-mock-request-id)" '^[0-9a-f]{32}$' "x-mock-request-id"
expect_eq "$(header content-length)" "$(wc -c <"$TMP/body" | tr -d ' ')" "content-length"
pass "generateContent"

# 2. alt=sse: one-line frames, "\r\n\r\n" after each, no [DONE]; finishReason and full usage on the last
req POST "$GM/v1/models/$M:streamGenerateContent?alt=sse&key=gk" -d "$HELLO"
expect_eq "$(header content-type)" "text/event-stream" "sse content-type"
printf 'data: {"candidates": [{"content": {"role": "model","parts": [{"text": "Hello"}]},"index": 0}],"usageMetadata": {"promptTokenCount": 3,"totalTokenCount": 3,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 3}]},"modelVersion": "gemini-2.0-flash","responseId": "ID"}\r\n\r\ndata: {"candidates": [{"content": {"role": "model","parts": [{"text": " world"}]},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 3,"candidatesTokenCount": 2,"totalTokenCount": 5,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 3}]},"modelVersion": "gemini-2.0-flash","responseId": "ID"}\r\n\r\n' >"$TMP/expected"
same_bytes "$TMP/expected" "alt=sse stream, byte for byte"
expect_eq "$(grep -o '"responseId": "[^"]*"' "$TMP/body" | sort -u | wc -l)" "1" "one responseId in every frame"
pass "alt=sse stream"

# 3. without alt: one JSON array, an element a chunk, "\r\n,\r\n" between them
req POST "$GM/v1beta/models/$M:streamGenerateContent" -H 'x-goog-api-key: gk' -d "$HELLO"
expect_eq "$(header content-type)" "application/json; charset=utf-8" "array stream content-type"
ELEMENT1='{
  "candidates": [
    {
      "content": {
        "role": "model",
        "parts": [
          {
            "text": "Hello"
          }
        ]
      },
      "index": 0
    }
  ],
  "usageMetadata": {
    "promptTokenCount": 3,
    "totalTokenCount": 3,
    "promptTokensDetails": [
      {
        "modality": "TEXT",
        "tokenCount": 3
      }
    ]
  },
  "modelVersion": "gemini-2.0-flash",
  "responseId": "ID"
}'
ELEMENT2='{
  "candidates": [
    {
      "content": {
        "role": "model",
        "parts": [
          {
            "text": " world"
          }
        ]
      },
      "finishReason": "STOP",
      "index": 0
    }
  ],
  "usageMetadata": {
    "promptTokenCount": 3,
    "candidatesTokenCount": 2,
    "totalTokenCount": 5,
    "promptTokensDetails": [
      {
        "modality": "TEXT",
        "tokenCount": 3
      }
    ]
  },
  "modelVersion": "gemini-2.0-flash",
  "responseId": "ID"
}'
printf '[%s\r\n,\r\n%s]' "$ELEMENT1" "$ELEMENT2" >"$TMP/expected"
same_bytes "$TMP/expected" "JSON-array stream, byte for byte"
expect_eq "$(json 'len(j)' <"$TMP/body")" "2" "the stream is one JSON array"
pass "JSON-array stream"

# 4. Google's errors
req POST "$GM/v1beta/models/$M:generateContent?key=gk" -d '{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"topz":1}}'
expect_eq "$STATUS" 400 "unknown field status"
expect_eq "$(json '(j["error"]["code"], j["error"]["status"])' <"$TMP/body")" "(400, 'INVALID_ARGUMENT')" "unknown field code"
expect_eq "$(json 'j["error"]["message"]' <"$TMP/body")" \
    "Invalid JSON payload received. Unknown name \"topz\" at 'generation_config': Cannot find field." "unknown field message"
expect_eq "$(json 'j["error"]["details"][0]["fieldViolations"][0]["field"]' <"$TMP/body")" "generation_config" "field violation"
req POST "$GM/v1beta/models/$M:generateContent" -H 'x-goog-api-key: nope' -d "$HELLO"
expect_eq "$STATUS" 400 "bad key status"
expect_eq "$(json '(j["error"]["message"], j["error"]["details"][0]["reason"])' <"$TMP/body")" \
    "('API key not valid. Please pass a valid API key.', 'API_KEY_INVALID')" "bad key body"
req POST "$GM/v1beta/models/$M:generateContent" -d "$HELLO"
expect_eq "$STATUS" 403 "missing key status"
expect_eq "$(json 'j["error"]["status"]' <"$TMP/body")" "PERMISSION_DENIED" "missing key body"
req POST "$GM/v1beta/models/gemini-9:generateContent?key=gk" -d "$HELLO"
expect_eq "$STATUS" 404 "unknown model status"
expect_contains "$BODY" '"message": "models/gemini-9 is not found for API version v1beta' "unknown model message"
req POST "$GM/v1beta/models/$M:streamGenerateContent?key=gk" -d '{"contents":[]}'
expect_eq "$STATUS" 400 "array stream error status"
expect_eq "$(json '(type(j).__name__, j[0]["error"]["status"])' <"$TMP/body")" "('list', 'INVALID_ARGUMENT')" \
    "errors of a JSON-array stream are arrays"
req POST "$GM/v1beta/models/$M:generateContent?key=gk" -H 'x-mock-fault: rate' -d "$HELLO"
expect_eq "$STATUS" 429 "injected 429"
expect_eq "$(json '[d.get("retryDelay") for d in j["error"]["details"]]' <"$TMP/body")" "[None, '3s']" "RetryInfo"
expect_contains "$(json 'j["error"]["message"]' <"$TMP/body")" "Please retry in 3s." "retry in the message"
expect_eq "$(header retry-after)" "3" "retry-after header"
req POST "$GM/v1beta/models/$M:fooBar?key=gk" -d "$HELLO"
expect_eq "$STATUS" 404 "unknown method"
pass "Gemini API errors"

# 5. Vertex: project path, Bearer, createTime, project and location checked, the verbatim 429
req POST "$VX/$VPATH:generateContent" -H 'Authorization: Bearer vt' -d "$HELLO"
expect_eq "$STATUS" 200 "vertex status"
expect_eq "$(json '(j["createTime"], j["usageMetadata"]["trafficType"], "index" in j["candidates"][0])' <"$TMP/masked")" \
    "('T', 'ON_DEMAND', False)" "vertex body"
req POST "$VX/$VPATH:streamGenerateContent?alt=sse" -H 'Authorization: Bearer vt' -d "$HELLO"
expect_eq "$(grep -c '^data: ' "$TMP/body")" "2" "vertex sse frames"
expect_contains "$BODY" '"createTime": "T","responseId": "ID"}' "createTime on every frame"
req POST "$VX/$VPATH:generateContent" -H 'Authorization: Bearer wrong' -d "$HELLO"
expect_eq "$STATUS $(json 'j["error"]["status"]' <"$TMP/body")" "401 UNAUTHENTICATED" "vertex wrong token"
req POST "$VX/$VPATH:generateContent" -d "$HELLO"
expect_eq "$(json 'j["error"]["details"][0]["reason"]' <"$TMP/body")" "CREDENTIALS_MISSING" "vertex no token"
req POST "$VX/v1/projects/other/locations/us-central1/publishers/google/models/$M:generateContent" \
    -H 'Authorization: Bearer vt' -d "$HELLO"
expect_eq "$STATUS $(json 'j["error"]["status"]' <"$TMP/body")" "403 PERMISSION_DENIED" "another project"
req POST "$VX/v1beta1/projects/proj-1/locations/europe-west4/publishers/google/models/$M:generateContent" \
    -H 'Authorization: Bearer vt' -d "$HELLO"
expect_eq "$STATUS" 404 "another location"
expect_contains "$BODY" 'Publisher Model `projects/proj-1/locations/europe-west4/publishers/google/models/gemini-2.0-flash` was not found' "location message"
req POST "$VX/$VPATH:generateContent" -H 'Authorization: Bearer vt' -H 'x-mock-fault: rate' -d "$HELLO"
expect_eq "$(json 'j["error"]["message"]' <"$TMP/body")" \
    "Resource exhausted. Please try again later. Please refer to https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details." \
    "vertex 429 message"
pass "Vertex AI"

# 6. embeddings, countTokens, models
req POST "$GM/v1beta/models/text-embedding-004:embedContent?key=gk" -d '{"content":{"parts":[{"text":"a"}]},"outputDimensionality":4}'
expect_eq "$(json 'len(j["embedding"]["values"])' <"$TMP/body")" "4" "embedContent"
req POST "$GM/v1beta/models/text-embedding-004:batchEmbedContents?key=gk" \
    -d '{"requests":[{"model":"models/text-embedding-004","content":{"parts":[{"text":"a"}]}},{"model":"models/text-embedding-004","content":{"parts":[{"text":"b"}]}}]}'
expect_eq "$(json '[len(e["values"]) for e in j["embeddings"]]' <"$TMP/body")" "[768, 768]" "batchEmbedContents"
req POST "$VX/v1/projects/proj-1/locations/us-central1/publishers/google/models/text-embedding-005:predict" \
    -H 'Authorization: Bearer vt' -d '{"instances":[{"content":"abcdefgh"}],"parameters":{"outputDimensionality":3}}'
expect_eq "$(json '(len(j["predictions"][0]["embeddings"]["values"]), j["predictions"][0]["embeddings"]["statistics"]["token_count"], j["metadata"]["billableCharacterCount"])' <"$TMP/body")" \
    "(3, 2, 8)" "predict"
req POST "$GM/v1beta/models/$M:countTokens?key=gk" -d "$HELLO"
expect_eq "$(json 'j["totalTokens"]' <"$TMP/body")" "3" "countTokens"
req GET "$GM/v1beta/models?key=gk"
expect_eq "$(json '[m["name"] for m in j["models"]]' <"$TMP/body")" "['models/gemini-2.0-flash', 'models/text-embedding-004']" "models"
req GET "$GM/v1beta/models/text-embedding-004?key=gk"
expect_eq "$(json 'j["supportedGenerationMethods"][0]' <"$TMP/body")" "embedContent" "one model"
pass "embeddings, countTokens, models"

# 7. metrics count generateContent as generate_content
req GET "$GM/metrics"
expect_contains "$BODY" 'mock_requests_total{deployment="gm",api="generate_content",model="gemini-2.0-flash",status="200"} 3' \
    "generate_content counted"
expect_contains "$BODY" 'mock_requests_total{deployment="gm",api="count_tokens",model="gemini-2.0-flash",status="200"} 1' \
    "count_tokens counted"
pass "metrics"

stop_mock
pass "Gemini API and Vertex AI surfaces"
