#!/usr/bin/env bash
# tests/integration/mock_cli_test.sh — the command line of the real binary: --help/--version, usage and
# config errors (exit 2, file:line:col), --check on the shipped example, quick flags, a port already in
# use (exit 1), IPv6 ready lines, SIGINT, and HTTP/2 with prior knowledge (h2c) on the same port.
source "$(dirname "$0")/mock_lib.sh"

SRC=${SOAK_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
M=$MOCK_PROVIDER

# run_rc ARGS...: runs the binary to completion; sets RC, OUT, ERR
run_rc() {
    "$M" "$@" >"$TMP/o" 2>"$TMP/e"
    RC=$?
    OUT=$(cat "$TMP/o")
    ERR=$(cat "$TMP/e")
}

run_rc --help
expect_eq "$RC" 0 "--help exit"
for flag in --config --check --listen --ttft --itl --prefill-per-token --output-tokens --model --api-key \
    --content --tool-calls --seed --name --keepalive-timeout --max-body --threads --log-level --help --version \
    --print-litellm-config; do
    expect_contains "$OUT" "$flag" "--help lists $flag"
done
# aligned: every option line's description starts in the same column
COLS=$(echo "$OUT" | grep -E '^ +(-., )?--' | awk '{ if (match($0, /  [^ -][^ ]/)) print RSTART }' | sort -u | wc -l)
expect_eq "$COLS" 1 "--help descriptions aligned"
run_rc --version
expect_eq "$RC" 0 "--version exit"
expect_match "$OUT" '^mock-provider [0-9]+\.[0-9]+\.[0-9]+ \(h2o 2\.2\.5\)$' "--version"
pass "--help and --version"

run_rc --bogus
expect_eq "$RC" 2 "unknown flag exit"
expect_contains "$ERR" 'mock-provider: unknown option "--bogus"' "unknown flag message"
run_rc --ttft
expect_eq "$RC" 2 "missing value exit"
expect_contains "$ERR" 'mock-provider: --ttft needs a value' "missing value message"
run_rc --ttft lognorml
expect_eq "$RC" 2 "bad distribution exit"
expect_contains "$ERR" 'mock-provider: --ttft "lognorml": ' "bad distribution message"
run_rc --config "$SRC/configs/mock-example.yaml" --listen 127.0.0.1:0
expect_eq "$RC" 2 "--config with --listen exit"
expect_contains "$ERR" "--listen cannot be combined with --config" "--config with --listen message"
run_rc --config "$TMP/missing.yaml"
expect_eq "$RC" 2 "missing file exit"
expect_contains "$ERR" "$TMP/missing.yaml" "missing file message names the file"
run_rc extra-arg
expect_eq "$RC" 2 "stray argument exit"
pass "usage errors exit 2"

run_rc --config "$SRC/configs/mock-example.yaml" --check
expect_eq "$RC" 0 "--check of configs/mock-example.yaml: $ERR"
expect_contains "$OUT" "OK (2 deployments)" "--check output"
printf 'mock:\n  deployments:\n    - name: a\n      limits: {rpm: 100, rmp: 5}\n' >"$TMP/bad.yaml"
run_rc --config "$TMP/bad.yaml" --check
expect_eq "$RC" 2 "--check of a bad file"
expect_eq "$ERR" "mock-provider: $TMP/bad.yaml:4:26: mock.deployments[0].limits: unknown key \"rmp\" (did you mean \
\"rpm\"? allowed: rpm, tpm, window, per_key, concurrency, queue, retry_after, charge)" "--check message"
printf 'mock:\n  deployments:\n    - name: a\n      latency: {ttft: 1ms, itl: 2ms}\n    - name: a\n' >"$TMP/dup.yaml"
run_rc --config "$TMP/dup.yaml" --check
expect_eq "$RC" 2 "duplicate name exit"
expect_eq "$ERR" "mock-provider: $TMP/dup.yaml:5:13: mock.deployments[1].name: duplicate deployment name \"a\" (also \
mock.deployments[0])" "duplicate name message"
pass "--check: valid example, errors with file:line:col"

# quick flags: one deployment, models and keys enforced
: >"$TMP/mock.out" # emptied before the job starts: the wait below must not read an earlier ready line
"$M" --name quick --listen 127.0.0.1:0 --model m1 --model m2 --api-key k1 --ttft 10ms --threads 1 \
    >>"$TMP/mock.out" 2>"$TMP/mock.err" &
MOCK_PID=$!
sr_track "$MOCK_PID"
for _ in $(seq 1 50); do grep -q 'ready' "$TMP/mock.out" && break; sleep 0.1; done
Q=$(url_of quick)
expect_match "$Q" '^http://127\.0\.0\.1:[0-9]+/v1$' "quick deployment url"
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer k1' "$Q/chat/completions" \
    -d '{"model":"m2","messages":[{"role":"user","content":"x"}]}')
expect_eq "$CODE" 200 "quick flags: listed model with key"
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer k1' "$Q/chat/completions" \
    -d '{"model":"m3","messages":[{"role":"user","content":"x"}]}')
expect_eq "$CODE" 404 "quick flags: unlisted model"
CODE=$(curl -s -o /dev/null -w '%{http_code}' "$Q/chat/completions" -d '{"model":"m1","messages":[]}')
expect_eq "$CODE" 401 "quick flags: no key"
pass "quick flags"

# HTTP/2 with prior knowledge on the same port: whole body and stream
H2=$(curl -s --http2-prior-knowledge -o "$TMP/h2" -w '%{http_version} %{http_code}' -H 'Authorization: Bearer k1' \
    "$Q/chat/completions" -d '{"model":"m1","messages":[{"role":"user","content":"x"}]}')
expect_eq "$H2" "2 200" "h2c non-stream"
expect_eq "$(json 'j["object"]' <"$TMP/h2")" "chat.completion" "h2c body"
H2=$(curl -s -N --http2-prior-knowledge -o "$TMP/h2s" -w '%{http_version} %{http_code}' -H 'Authorization: Bearer k1' \
    "$Q/chat/completions" -d '{"model":"m1","stream":true,"messages":[{"role":"user","content":"x"}]}')
expect_eq "$H2" "2 200" "h2c stream"
expect_eq "$(grep '^data: ' "$TMP/h2s" | tail -1)" "data: [DONE]" "h2c stream end"
command -v h2load >/dev/null || fail "h2load is not installed (package nghttp2-client; run ci/install-deps.sh --test)"
printf '%s' '{"model":"m1","messages":[{"role":"user","content":"x"}]}' >"$TMP/h2body"
h2load -n 2000 -c 10 -m 10 -H 'Authorization: Bearer k1' -d "$TMP/h2body" "$Q/chat/completions" \
    >"$TMP/h2load" 2>&1
expect_contains "$(cat "$TMP/h2load")" "2000 succeeded, 0 failed, 0 errored" "h2load over h2c"
expect_contains "$(cat "$TMP/h2load")" "status codes: 2000 2xx" "h2load statuses"
pass "HTTP/2 prior knowledge"

# the same explicit port again: refused, even though the listeners use SO_REUSEPORT
PORT=${Q##*:}
PORT=${PORT%/v1}
run_rc --listen "127.0.0.1:$PORT"
expect_eq "$RC" 1 "port in use exit"
expect_eq "$ERR" "mock-provider: deployment \"default\": cannot listen on 127.0.0.1:$PORT: Address already in use" \
    "port in use message"
pass "port in use: exit 1"

# SIGINT stops the quick server with status 0
START=$(date +%s.%N)
kill -INT "$MOCK_PID"
wait "$MOCK_PID"
RC=$?
END=$(date +%s.%N)
expect_eq "$RC" 0 "exit status after SIGINT"
fcmp "$END - $START < 1.0 * $SCALE + 0.2" || fail "SIGINT stop took too long"
pass "SIGINT: exit 0"

# IPv6 listeners print the host in brackets (loopback ::1 is part of the test machine's contract)
python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null ||
    fail "cannot bind [::1]: this test needs IPv6 loopback"
start_mock "
mock:
  threads: 1
  deployments:
    - {name: six, listen: '[::1]:0'}
"
expect_match "$(url_of six)" '^http://\[::1\]:[0-9]+/v1$' "IPv6 ready line"
expect_eq "$(curl -s -g "$(base_of six)/health")" '{"status":"ok"}' "IPv6 health"
stop_mock
pass "IPv6 listener"

# --print-litellm-config=FILE: once the ports are bound, a LiteLLM model_list routing to every deployment
start_mock "
mock:
  threads: 1
  deployments:
    - {name: oa-a, models: [gpt-4o, gpt-4o-mini], api_keys: [sk-a]}
    - {name: oa-b, models: [gpt-4o]}
    - {name: az, provider: azure, models: ['prod \"x\"'], api_versions: [2024-06-01]}
    - {name: gm, provider: gemini, models: [gemini-2.5-flash]}
    - {name: vx, provider: vertex, models: [gemini-2.0-flash-001], project: p1, location: europe-west4}
    - {name: an, provider: anthropic, models: [claude-sonnet-4-5]}
" --print-litellm-config="$TMP/litellm.yaml"
[ -f "$TMP/litellm.yaml" ] || fail "no LiteLLM config written"
LL=$(cat "$TMP/litellm.yaml")
expect_eq "$(grep -c '^  - model_name: ' <<<"$LL")" 7 "one entry per deployment and model"
expect_contains "$LL" "model: \"anthropic/claude-sonnet-4-5\"" "Anthropic prefix"
expect_contains "$LL" "api_base: \"$(url_of an)\"" "Anthropic api_base"
expect_contains "$LL" "model: \"gemini/gemini-2.5-flash\"" "Gemini prefix"
expect_contains "$LL" "api_base: \"$(url_of gm)/v1beta\"" "Gemini api_base"
expect_contains "$LL" "model: \"vertex_ai/gemini-2.0-flash-001\"" "Vertex prefix"
expect_contains "$LL" "api_base: \"$(url_of vx)/v1/projects/p1/locations/europe-west4/publishers/google/models\"" \
    "Vertex api_base"
expect_contains "$LL" 'vertex_location: "europe-west4"' "Vertex location"
expect_eq "$(grep -c '^  - model_name: "gpt-4o"$' <<<"$LL")" 2 "two deployments of gpt-4o form one group"
expect_contains "$LL" "api_base: \"$(url_of oa-a)\"" "OpenAI api_base as printed"
expect_contains "$LL" "model: \"azure/prod \\\"x\\\"\"" "Azure prefix, quotes escaped"
expect_contains "$LL" "api_base: \"$(url_of az)\"" "Azure endpoint"
expect_contains "$LL" 'api_version: "2024-06-01"' "Azure api_version"
expect_contains "$LL" 'api_key: "sk-a"' "the deployment's key"
stop_mock
run_rc --check --print-litellm-config --name x
expect_eq "$RC" 2 "--print-litellm-config with --check"
pass "--print-litellm-config"
