#!/usr/bin/env bash
# tests/integration/scenarios_test.sh — every shipped scenario in configs/ passes with `soak run` as
# shipped, shortened with --duration (their expectations hold for any length of run). The rate-limit
# scenarios' ceiling is a per-minute quota over a whole minute; in CI they run a tenth of it with a tenth of
# each quota: a sliding window longer than the run admits exactly its quota once, so the ceiling, the shares
# and the 429s beyond it are the shipped scenario's, per minute (one of them through a real Portkey gateway).
# slow-redis runs its stall earlier and shorter, with its latency expectation moved to match. Labelled `scenario`:
# it runs in the release tree only (ci/test.sh), where the shipped rates are reachable on a 2-core machine;
# the sanitizer trees run the runner's own tests (soak_run_test) instead.
source "$(dirname "$0")/soak_lib.sh"
export SOAK_MOCK_PROVIDER=$MOCK_PROVIDER
CONFIGS=$SOAK_SOURCE_DIR/configs

# scenario FILE [soak run options...]: runs it, expects a pass, and the mock's side reconciled with soak's
scenario() {
    local file=$1 name
    shift
    name=$(basename "$file" .yaml)
    run_soak run --quiet --report-dir "$TMP/$name" "$@" "$CONFIGS/$file"
    expect_eq "$RC" "0" "$file ($(grep -E 'FAIL|Verdict' "$TMP/soak.out" | head -5) $(tail -3 "$TMP/soak.err"))"
    [ -s "$TMP/$name/summary.json" ] || fail "$file: no summary.json"
    [ -s "$TMP/$name/deployments.json" ] || fail "$file: no deployments.json"
    pass "$file"
}

shipped=0
for f in "$CONFIGS"/*.yaml; do grep -q '^load:' "$f" && shipped=$((shipped + 1)); done
tested=0
scenario 1k-rps.yaml --duration 5s
tested=$((tested + 1))
scenario oai-azure-release.yaml --duration 5s
tested=$((tested + 1))
scenario streaming.yaml --duration 6s
tested=$((tested + 1))
scenario client-lifecycle.yaml --duration 8s
expect_match "$(jq_py "$TMP/client-lifecycle/deployments.json" 'j["deployments"]["lifecycle"]["mock"]["faults"]')" \
    '^[1-9][0-9]*$' "the mock closed connections during the run"
tested=$((tested + 1))
# degraded-provider at a quarter of its times (its requests wait out a 30 s timeout and a 35 s drain otherwise):
# the hanging deployment's 70% of about 10 s and 30% of a minute or more become 3 s and 12 s or more, the
# stall 5 s, the timeout 8 s and its bound 10 s; the share that times out, and so the failure rate, is the same.
scenario degraded-provider.yaml --duration 10s \
    --set 'mock.deployments[hanging].latency.ttft=percentiles(p1=2s, p70=3s, p71=12.5s, p95=17.5s, p96=20s, p100=75s)' \
    --set 'mock.deployments[stalling].faults[0].duration=5s' --set 'load.timeout=8s' --set 'load.drain=9s' \
    --set 'expect[2].max=10s'
expect_match "$(jq_py "$TMP/degraded-provider/summary.json" 'j["errors"].get("timeout", 0)')" '^[1-9][0-9]*$' \
    "requests to the hanging deployment timed out"
tested=$((tested + 1))
# the control plane's step keeps the baseline's length, which --duration rescales from 10 s to 3 s
scenario control-plane-isolation.yaml --duration 9s --set 'load.groups[control-plane].arrival.step[0].for=3s'
expect_eq "$(jq_py "$TMP/control-plane-isolation/summary.json" 'j["groups"]["control-plane"]["requests"]["ok"] > 50')" \
    "True" "the control plane ran beside the data plane"
expect_eq "$(jq_py "$TMP/control-plane-isolation/summary.json" \
    'sorted(r["name"] for r in j["by_request"] if r["name"].startswith("admin") and r["ok"] > 0 and r["failed"] == 0)')" \
    "['admin deployments', 'admin journal']" "the control plane read the mock's admin API ({{mock.admin.url}})"
tested=$((tested + 1))
scenario rate-limit-lb.yaml --duration 6s \
    --set 'mock.deployments[gemini-a].limits.rpm=1000' --set 'mock.deployments[gemini-b].limits.rpm=1000'
expect_eq "$(jq_py "$TMP/rate-limit-lb/summary.json" 'j["requests"]["ok"]')" "2000" \
    "rate-limit-lb: exactly the two quotas succeeded"
tested=$((tested + 1))
# the gateway from the install ci/install-deps.sh --test made (tests/sdk), not from the network
export SOAKRIG_PORTKEY_DIR=$SOAK_SOURCE_DIR/tests/sdk
[ -f "$SOAKRIG_PORTKEY_DIR/node_modules/@portkey-ai/gateway/build/start-server.js" ] ||
    fail "the Portkey gateway is not installed in $SOAKRIG_PORTKEY_DIR (run ci/install-deps.sh --test)"
export SOAK_FAULT_PROXY=$FAULT_PROXY
stalls=()
for t in 'redis].toxics[redis-stall' 'provider].toxics[provider-stall'; do
    stalls+=(--set "proxies[$t].attributes.start=2s" --set "proxies[$t].attributes.duration=5s")
done
scenario slow-redis.yaml --duration 14s "${stalls[@]}" --set 'expect[1].min=3s'
fcmp "$(jq_py "$TMP/slow-redis/summary.json" 'j["latency_ms"]["max"]') > 3000" || fail "slow-redis: the stall did not show"
tested=$((tested + 1))
scenario gateway-lb.yaml --duration 6s \
    --set 'mock.deployments[openai-a].limits.rpm=60' --set 'mock.deployments[openai-b].limits.rpm=60'
expect_eq "$(jq_py "$TMP/gateway-lb/deployments.json" 'j["reconciled"]')" "True" "through Portkey, both sides agree"
tested=$((tested + 1))
expect_eq "$tested" "$shipped" "every shipped scenario with a load: section is run here"
