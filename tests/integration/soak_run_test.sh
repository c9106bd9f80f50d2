#!/usr/bin/env bash
# tests/integration/soak_run_test.sh — `soak run SCENARIO`: starts a service and the mock deployments on free
# ports, fills in the placeholders, runs the load, writes the reports and the processes' logs, and stops
# every process it started: after a pass, after Ctrl-C, when a process dies during the load (the run fails
# and names it), when a start fails, and when soak itself is killed (no orphan, ever). --check validates
# every section with file:line:col errors, the mock: section by mock-provider itself.
source "$(dirname "$0")/soak_lib.sh"
export SOAK_MOCK_PROVIDER=$MOCK_PROVIDER

# scenario NAME SERVICES_YAML DURATION: writes $TMP/NAME.yaml, one mock deployment and a small load
scenario() {
    cat >"$TMP/$1.yaml" <<EOF
name: $1
seed: 5
duration: $3
$2
mock:
  threads: 1
  deployments:
    - name: a
      provider: openai
      listen: 127.0.0.1:8080
      models: [m]
      latency: {ttft: fixed(2ms), itl: fixed(1ms)}
      output_tokens: fixed(4)
load:
  target: "{{deployments.a.url}}"
  arrival: {constant: 40/s}
  requests:
    - {api: openai.chat, model: m}
expect:
  - {metric: failure_rate, max: 1%}
report: {dir: "$TMP/reports/{{name}}"}
EOF
}

# pids_started FILE: the PIDs soak run reported starting
pids_started() {
    sed -n 's/^soak run: started .* (pid \([0-9]*\),.*/\1/p' "$1"
}

# expect_gone PIDS...: each PID has exited (give it 2 s: a killed soak's children get SIGKILL from the kernel)
expect_gone() {
    local p i
    for p in "$@"; do
        for i in $(seq 1 40); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.05
        done
        kill -0 "$p" 2>/dev/null && { kill -KILL "$p"; fail "process $p is still running after soak run ended"; }
    done
    return 0
}

SVC='services:
  - name: web
    command: [python3, -m, http.server, --bind, 127.0.0.1, "{{services.web.port}}"]
    ready: {tcp: "{{services.web.port}}"}'

# ---- a passing run: reports, logs, every process stopped -------------------------------------------------
scenario pass "$SVC" 2s
run_soak run --check "$TMP/pass.yaml"
expect_eq "$RC" "0" "--check of a good scenario ($(cat "$TMP/soak.err"))"
# the binaries named on the command line, as ci/soak.sh does
run_soak run --check --mock-provider "$MOCK_PROVIDER" --fault-proxy "$FAULT_PROXY" "$TMP/pass.yaml"
expect_eq "$RC" "0" "--mock-provider and --fault-proxy ($(cat "$TMP/soak.err"))"
expect_contains "$(cat "$TMP/soak.out")" "OK: pass: 1 service, 1 mock deployment" "--check summary"
run_soak run --quiet "$TMP/pass.yaml"
expect_eq "$RC" "0" "a passing run ($(tail -5 "$TMP/soak.err"))"
expect_contains "$(cat "$TMP/soak.out")" "Verdict: PASS" "verdict"
expect_match "$(cat "$TMP/soak.out")" "target +http://127\.0\.0\.1:[0-9]+/v1" "the target is the mock's real address"
[[ "$(cat "$TMP/soak.out")" != *":8080/"* ]] || fail "the mock kept the file's port 8080"
for f in summary.json series.jsonl junit.xml logs/mock-provider.log; do
    [ -s "$TMP/reports/pass/$f" ] || fail "missing report file $f"
done
# the service's log exists (python buffers its own output when it is not a terminal: it may still be empty)
[ -e "$TMP/reports/pass/logs/service-web.log" ] || fail "missing the service's log"
expect_eq "$(jq_py "$TMP/reports/pass/summary.json" 'j["requests"]["ok"]')" "80" "requests answered by the mock"
run_soak run "$TMP/pass.yaml" --duration 1s 2>/dev/null
expect_eq "$RC" "2" "options after the file are refused"
run_soak run --duration 1s --report-dir "$TMP/reports/again" "$TMP/pass.yaml"
expect_eq "$RC" "0" "--duration and --report-dir override the file"
expect_eq "$(jq_py "$TMP/reports/again/summary.json" 'j["run"]["planned_s"]')" "1.0" "--duration"
mapfile -t started < <(pids_started "$TMP/soak.err")
expect_eq "${#started[@]}" "2" "two processes reported started"
expect_gone "${started[@]}"
pass "soak run: a passing scenario, its reports and logs, every process stopped"

# ---- --check: every section, with positions --------------------------------------------------------
scenario bad1 "$SVC" 2s
sed -i 's/{{deployments.a.url}}/{{deployments.b.url}}/' "$TMP/bad1.yaml"
run_soak run --check "$TMP/bad1.yaml"
expect_eq "$RC" "2" "unknown deployment in a placeholder"
expect_match "$(cat "$TMP/soak.err")" "bad1\.yaml:[0-9]+:[0-9]+: load\.target: \{\{deployments\.b\.url\}\}" "placeholder error"
scenario bad2 "$SVC" 2s
sed -i 's/ttft: fixed(2ms)/ttft: fixd(2ms)/' "$TMP/bad2.yaml"
run_soak run --check "$TMP/bad2.yaml"
expect_eq "$RC" "2" "a bad mock: section"
expect_match "$(cat "$TMP/soak.err")" "bad2\.yaml:[0-9]+:[0-9]+: .*latency\.ttft" "the mock's own error, with its position"
scenario bad3 "services:
  - {name: web, command: [true]}
  - {name: web, command: [true]}" 2s
run_soak run --check "$TMP/bad3.yaml"
expect_eq "$RC" "2" "two services of one name"
expect_match "$(cat "$TMP/soak.err")" "bad3\.yaml:[0-9]+:[0-9]+: services\[1\]\.name: \"web\" is already" "duplicate name"
scenario bad4 "services:
  - {name: web, command: [true], redy: {tcp: 1}}" 2s
run_soak run --check "$TMP/bad4.yaml"
expect_eq "$RC" "2" "an unknown service key"
expect_contains "$(cat "$TMP/soak.err")" 'unknown key "redy" (did you mean "ready"?' "unknown key"
run_soak load --config "$TMP/pass.yaml"
expect_eq "$RC" "2" "soak load cannot fill in placeholders"
expect_contains "$(cat "$TMP/soak.err")" "placeholders that \`soak run\` fills in" "soak load says so"
# an api: http path that names the mock's admin API: a bad placeholder there has its position too, soak load
# cannot fill it in (soak load --check notes it), and --check passes with the right one
scenario admin "" 2s
sed -i 's#    - {api: openai.chat, model: m}#    - {api: openai.chat, model: m}\n    - {api: http, path: "{{mock.admin.urls}}/deployments"}#' \
    "$TMP/admin.yaml"
run_soak run --check "$TMP/admin.yaml"
expect_eq "$RC" "2" "an unknown placeholder in a request path"
expect_match "$(cat "$TMP/soak.err")" "admin\.yaml:[0-9]+:[0-9]+: load\.requests\[1\]\.path: .*\{\{mock\.admin\.urls\}\}" \
    "the path's placeholder error, with its position"
sed -i 's/mock.admin.urls/mock.admin.url/' "$TMP/admin.yaml"
run_soak run --check "$TMP/admin.yaml"
expect_eq "$RC" "0" "{{mock.admin.url}} in a request path ($(cat "$TMP/soak.err"))"
run_soak load --config "$TMP/admin.yaml" --url http://127.0.0.1:9/v1
expect_eq "$RC" "2" "soak load cannot fill in a path's placeholders"
expect_match "$(cat "$TMP/soak.err")" "admin\.yaml:[0-9]+:[0-9]+: load\.requests\[1\]\.path: " "soak load says where"
expect_contains "$(cat "$TMP/soak.err")" "placeholders that \`soak run\` fills in" "soak load says why"
run_soak load --check --config "$TMP/admin.yaml"
expect_eq "$RC" "0" "soak load --check leaves the path to soak run ($(cat "$TMP/soak.err"))"
pass "soak run --check: placeholders, the mock: section, services"

# ---- a service that dies during the load fails the run, named, with its log ----------------------
scenario dies "services:
  - name: flaky
    command: \"echo about to fail; sleep 1.5; exit 3\"" 20s
run_soak run --quiet "$TMP/dies.yaml"
expect_eq "$RC" "1" "a run whose service died"
expect_match "$(cat "$TMP/soak.err")" "service flaky \(pid [0-9]+\) exited with status 3 during the load" "names the child"
expect_contains "$(cat "$TMP/soak.err")" "about to fail" "quotes its log"
expect_contains "$(jq_py "$TMP/reports/dies/summary.json" 'j["run"]["failure"]')" "exited with status 3" "summary.json"
expect_eq "$(jq_py "$TMP/reports/dies/summary.json" 'j["verdict"]')" "fail" "verdict"
fcmp "$(jq_py "$TMP/reports/dies/summary.json" 'j["run"]["duration_s"]') < 10" || fail "the load did not stop early"
mapfile -t started < <(pids_started "$TMP/soak.err")
expect_gone "${started[@]}"
pass "soak run: a child that dies stops and fails the run"

# ---- start failures: not executable, not ready in time -------------------------------------------
scenario noexec "services:
  - {name: ghost, command: [/nonexistent/server], ready: {tcp: 1}}" 2s
run_soak run --quiet "$TMP/noexec.yaml"
expect_eq "$RC" "2" "a service that cannot be executed"
expect_contains "$(cat "$TMP/soak.err")" "service ghost" "names it"
expect_contains "$(cat "$TMP/soak.err")" "could not be executed" "says why"
scenario slow "services:
  - {name: lazy, command: [sleep, '30'], ready: {tcp: '{{services.lazy.port}}'}, timeout: 1s}" 2s
run_soak run --quiet "$TMP/slow.yaml"
expect_eq "$RC" "2" "a service never ready"
expect_contains "$(cat "$TMP/soak.err")" "was not ready after 1.0s" "says why"
mapfile -t started < <(pids_started "$TMP/soak.err")
expect_gone "${started[@]}"
pass "soak run: failed starts stop what was started"

# ---- Ctrl-C keeps the results and stops everything; SIGKILL leaves no orphan ---------------------
scenario intr "$SVC" 60s
# (a fresh stderr file for each background run: the shell truncates it only once the job has started)
: >"$TMP/soak.err"
"$SOAK" run --quiet "$TMP/intr.yaml" >"$TMP/soak.out" 2>>"$TMP/soak.err" &
SOAK_PID=$!
sr_track "$SOAK_PID"
for _ in $(seq 1 200); do
    grep -q "deployment a at" "$TMP/soak.err" && break
    sleep 0.05
done
sleep "$(scaled 1)"
kill -INT "$SOAK_PID"
wait "$SOAK_PID"
RC=$?
expect_match "$RC" "^[01]$" "an interrupted run ends with its verdict"
expect_eq "$(jq_py "$TMP/reports/intr/summary.json" 'j["run"]["interrupted"]')" "True" "summary says interrupted"
mapfile -t started < <(pids_started "$TMP/soak.err")
expect_eq "${#started[@]}" "2" "two processes started"
expect_gone "${started[@]}"

: >"$TMP/soak.err"
"$SOAK" run --quiet --report-dir "$TMP/reports/killed" "$TMP/intr.yaml" >"$TMP/soak.out" 2>>"$TMP/soak.err" &
SOAK_PID=$!
for _ in $(seq 1 200); do
    [ "$(pids_started "$TMP/soak.err" | wc -l)" == "2" ] && break
    sleep 0.05
done
mapfile -t started < <(pids_started "$TMP/soak.err")
expect_eq "${#started[@]}" "2" "two processes started before the kill"
kill -KILL "$SOAK_PID"
wait "$SOAK_PID" 2>/dev/null
expect_gone "${started[@]}"
pass "soak run: Ctrl-C and SIGKILL leave no process behind"

# ---- target: deployments: the router spreads the load, cools a 429ing deployment, retries elsewhere ----
router() { # NAME RETRIES
    cat >"$TMP/$1.yaml" <<EOF2
name: $1
duration: 2s
mock:
  threads: 1
  deployments:
    - {name: a, provider: openai, models: [m], limits: {rpm: 6}, output_tokens: fixed(3)}
    - {name: b, provider: openai, models: [m], output_tokens: fixed(3)}
load:
  target: deployments
  router: {policy: round-robin, retries: $2}
  threads: 1
  arrival: {constant: 20/s}
  requests: [{api: openai.chat, model: m}]
report: {dir: "$TMP/reports/{{name}}"}
EOF2
}
router rr1 1
run_soak run --quiet "$TMP/rr1.yaml"
expect_eq "$RC" "0" "router with one retry ($(tail -3 "$TMP/soak.err"))"
S="$TMP/reports/rr1/summary.json"
expect_eq "$(jq_py "$S" '[j["requests"][k] for k in ("total", "ok", "retried")]')" "[40, 40, 1]" "every request served, one retried"
expect_eq "$(jq_py "$S" '[j["deployments"][d][k] for d in "ab" for k in ("total", "ok", "rate_limited")]')" \
    "[7, 6, 1, 34, 34, 0]" "a served its 6 RPM in turn, refused the 7th (sent on to b) and cooled down"
D="$TMP/reports/rr1/deployments.json"
expect_eq "$(jq_py "$D" '[j["reconciled"], j["unattributed"]] + [j["deployments"][d]["mock"][k] for d in "ab" for k in ("requests", "status_429")]')" \
    "[True, 0, 7, 1, 34, 0]" "the mock counted exactly what soak sent (deployments.json)"
expect_contains "$(cat "$TMP/soak.out")" "reconciled: the mock counted every attempt soak sent" "the both-sides table"
router rr0 0
run_soak run --quiet "$TMP/rr0.yaml"
expect_eq "$RC" "1" "router without retries: the 429 fails the default expectation"
S="$TMP/reports/rr0/summary.json"
expect_eq "$(jq_py "$S" '[j["requests"][k] for k in ("total", "ok", "rate_limited", "retried")]')" "[40, 39, 1, 0]" \
    "without retries the 429 is the request's outcome"
pass "soak run: target deployments, round robin, cooldown on 429, one retry elsewhere"

# ---- gateway: started last, a LiteLLM config written for it, target: gateway -------------------------
cat >"$TMP/gw.yaml" <<EOF2
name: gw
duration: 2s
mock:
  threads: 1
  deployments:
    - {name: a, provider: openai, models: [m], output_tokens: fixed(3)}
    - {name: b, provider: openai, models: [m], output_tokens: fixed(3)}
gateway:
  setup: "echo setting up > {{report.dir}}/setup.txt"
  command: [python3, "$SOAK_SOURCE_DIR/tests/integration/fake_gateway.py", "{{gateway.port}}", "{{gateway.config}}"]
  config: litellm
  ready: {log: "forwarding to"}
load:
  target: gateway
  arrival: {constant: 20/s}
  requests: [{api: openai.chat, model: m}]
report: {dir: "$TMP/reports/{{name}}"}
EOF2
run_soak run --quiet "$TMP/gw.yaml"
expect_eq "$RC" "0" "a run through a gateway ($(tail -5 "$TMP/soak.err"))"
expect_contains "$(cat "$TMP/reports/gw/gateway.litellm.yaml")" "api_base: " "the LiteLLM config written for the gateway"
[ -s "$TMP/reports/gw/setup.txt" ] || fail "gateway.setup did not run"
expect_eq "$(jq_py "$TMP/reports/gw/deployments.json" '[j["deployments"][d]["mock"]["requests"] for d in "ab"] + [j["reconciled"]]')" \
    "[20, 20, True]" "the gateway spread the load, both sides agree"
mapfile -t started < <(pids_started "$TMP/soak.err")
expect_eq "${#started[@]}" "2" "mock and gateway started"
expect_gone "${started[@]}"
sed -i 's/config: litellm/config: portkey/' "$TMP/gw.yaml"
sed -i 's/provider: openai, models/provider: anthropic, models/' "$TMP/gw.yaml"
run_soak run --check "$TMP/gw.yaml"
expect_eq "$RC" "2" "a Portkey config for anthropic deployments"
expect_contains "$(cat "$TMP/soak.err")" "this build writes Portkey configs for openai deployments" "says so"
pass "soak run: gateway with its setup, a generated LiteLLM config, target gateway"

# ---- changes: timed, through the mock's admin API, shaded in the HTML report -------------------------
cat >"$TMP/ch.yaml" <<EOF2
name: ch
duration: 3s
mock:
  threads: 1
  deployments:
    - {name: a, provider: openai, models: [m], output_tokens: fixed(3)}
changes:
  - {at: 2s, deployment: a, set: {faults: []}}
  - {at: 1s, deployment: a, set: {faults: [{kind: http_error, status: 503}]}}
  - {at: 9s, deployment: a, set: {latency: {ttft: fixed(1ms)}}}
load:
  target: "{{deployments.a.url}}"
  threads: 1
  arrival: {constant: 20/s}
  requests: [{api: openai.chat, model: m}]
expect:
  - {metric: failure_rate, ignore: [503], max: 0%}
report: {dir: "$TMP/reports/{{name}}"}
EOF2
run_soak run --quiet "$TMP/ch.yaml"
expect_eq "$RC" "0" "a run with timed changes ($(tail -5 "$TMP/soak.err"))"
expect_match "$(grep -c 'changed a: faults' "$TMP/soak.err")" "^2$" "both fault changes applied, in time order"
expect_contains "$(cat "$TMP/soak.err")" "not applied (after the end of the load): the change at 9.0s (a: latency)" \
    "a change after the end is reported, not silently dropped"
E5=$(jq_py "$TMP/reports/ch/summary.json" 'j["errors"].get("http_5xx", 0)')
fcmp "17 <= $E5 <= 23" || fail "about a second of 503s at 20/s between the two changes, got $E5"
expect_eq "$(jq_py "$TMP/reports/ch/deployments.json" 'j["deployments"]["a"]["mock"]["faults"]')" "$E5" \
    "the mock counted the same faults"
expect_contains "$(cat "$TMP/reports/ch/report.html")" "a: faults" "the change's window in the HTML report"
sed -i 's/status: 503/status: 99/' "$TMP/ch.yaml"
run_soak run --check "$TMP/ch.yaml"
expect_eq "$RC" "2" "an invalid change"
expect_contains "$(cat "$TMP/soak.err")" "faults[0].status: must be between 400 and 599, got 99" "the mock's own reader says why"
pass "soak run: timed changes through the admin API"

# ---- proxies: fault-proxy in front of the mock, on a free port, upstream filled in -------------------------
cat >"$TMP/px.yaml" <<EOF2
name: px
duration: 2s
mock:
  threads: 1
  deployments:
    - {name: a, provider: openai, listen: 127.0.0.1:8080, models: [m], output_tokens: fixed(3)}
proxies:
  - name: front
    listen: 127.0.0.1:18080
    upstream: "127.0.0.1:{{deployments.a.port}}"
    toxics:
      - {name: slow, type: latency, stream: downstream, attributes: {latency: 300}}
load:
  target: "{{proxies.front.url}}/v1"
  arrival: {constant: 10/s}
  requests: [{api: openai.chat, model: m}]
report: {dir: "$TMP/reports/{{name}}"}
EOF2
export SOAK_FAULT_PROXY=$FAULT_PROXY
run_soak run --quiet "$TMP/px.yaml"
expect_eq "$RC" "0" "a run through fault-proxy ($(tail -5 "$TMP/soak.err"))"
expect_match "$(cat "$TMP/soak.out")" "target +http://127\.0\.0\.1:[0-9]+/v1" "the proxy's address"
[[ "$(cat "$TMP/soak.out")" != *":18080/"* ]] || fail "the proxy kept the file's port 18080"
fcmp "$(jq_py "$TMP/reports/px/summary.json" 'j["latency_ms"]["p50"]') >= 300" || fail "the latency toxic did not show"
mapfile -t started < <(pids_started "$TMP/soak.err")
expect_eq "${#started[@]}" "2" "mock and fault-proxy started"
expect_gone "${started[@]}"
sed -i 's/type: latency/type: latncy/' "$TMP/px.yaml"
run_soak run --check "$TMP/px.yaml"
expect_eq "$RC" "2" "a bad toxic"
expect_contains "$(cat "$TMP/soak.err")" "proxies[0].toxics[0].type" "fault-proxy's own error, with its position"
pass "soak run: proxies started by fault-proxy on free ports"

# ---- the end-of-run webhook: a receiver started as a service, a Slack-compatible message -----------------
cat >"$TMP/hook.yaml" <<EOF2
name: hook
duration: 1s
services:
  - name: hook
    command: [python3, "$SOAK_SOURCE_DIR/tests/integration/hook_receiver.py", "{{services.hook.port}}", "$TMP/hook.json"]
    ready: {log: "hook_receiver: listening"}
mock:
  threads: 1
  deployments:
    - {name: a, provider: openai, models: [m], output_tokens: fixed(3)}
load:
  target: "{{deployments.a.url}}"
  arrival: {constant: 20/s}
  requests: [{api: openai.chat, model: m}]
report: {dir: "$TMP/reports/{{name}}", webhook: "http://127.0.0.1:{{services.hook.port}}/hook"}
EOF2
run_soak run --quiet "$TMP/hook.yaml"
expect_eq "$RC" "0" "a run with a webhook ($(tail -3 "$TMP/soak.err"))"
expect_contains "$(cat "$TMP/soak.err")" "posted the result to the webhook" "says so"
expect_eq "$(jq_py "$TMP/hook.json" 'j["blocks"][0]["text"]["text"]')" "soak: hook PASS" "Slack header block"
expect_contains "$(jq_py "$TMP/hook.json" '[f["text"] for f in j["blocks"][1]["fields"]]')" "*Requests*\\n20 offered, 20 ok" \
    "the requests field"
expect_contains "$(jq_py "$TMP/hook.json" 'j["text"]')" "soak: hook PASS: 20 requests" "the plain text"
pass "soak run: the end-of-run webhook"
