#!/usr/bin/env bash
# tests/integration/soak_connections_test.sh — connection lifecycle: by default one pool serves the whole
# run (a handful of connections); --max-conn-requests N retires a connection after N requests; --churn
# opens one per request; none of them costs a failed request.
source "$(dirname "$0")/soak_lib.sh"

start_mock "
mock:
  threads: 1
  deployments:
    - name: c
      latency: {ttft: 2ms}
      output_tokens: fixed(1)
"
URL=$(url_of c)

# connections RUN_ARGS...: runs soak for 200 requests (200/s for 1 s unless the arguments say otherwise) and
# prints the number of connections it opened
connections() {
    run_soak load --url "$URL" --rate 200/s --duration 1s --json "$TMP/c.json" "$@"
    expect_eq "$RC" "0" "exit status of soak $*"
    expect_eq "$(jq_py "$TMP/c.json" 'j["requests"]["ok"]')" "200" "requests ok with $*"
    sed -n 's/^soak: \([0-9]*\) connections\{0,1\} opened$/\1/p' "$TMP/soak.err"
}

N=$(connections)
MAXIN=$(jq_py "$TMP/c.json" 'j["requests"]["inflight_max"]')
# The pool keeps every connection it needed: no more than were ever in use at once.
fcmp "1 <= $N <= $MAXIN" || fail "$N connections for 200 requests with reuse (at most $MAXIN in flight)"
pass "reuse: $N connections for 200 requests"

N=$(connections --max-conn-requests 10)
MAXIN=$(jq_py "$TMP/c.json" 'j["requests"]["inflight_max"]')
# 200 requests, 10 per connection: 20, plus one partly used connection per extra one needed at once.
fcmp "20 <= $N <= 20 + $MAXIN" || fail "$N connections with --max-conn-requests 10 (at most $MAXIN in flight)"
pass "max 10 requests per connection: $N connections"

N=$(connections --churn)
expect_eq "$N" "200" "connections with --churn"
pass "churn: $N connections"

N=$(connections --max-conn-age 500ms --rate 100/s --duration 2s)
# A connection is retired by the first request that finds it 500 ms old: 4 in 2 s for each connection that
# was needed at once (a stall on a busy machine makes requests overlap), plus one.
MAXIN=$(jq_py "$TMP/c.json" 'j["requests"]["inflight_max"]')
fcmp "4 <= $N <= 4 * $MAXIN + 1" || fail "$N connections with --max-conn-age 500ms over 2 s (in flight <= $MAXIN)"
pass "max age 500ms: $N connections (at most $MAXIN in flight)"

# open_conns: the connections the mock has open now (its mock_open_connections gauge)
open_conns() {
    curl -s "$(base_of c)/metrics" | awk '$1 == "mock_open_connections" { print $2 }'
}

# A burst of concurrency opens connections; once it is older than the last 10 intervals (500 ms each here),
# soak closes the idle ones beyond what recent traffic needs (the busiest of those intervals plus a quarter, at
# least 64), and no request fails for it. The burst: the mock stops answering for 300 ms at 1,000 requests/s.
# The run is planned far longer than the checks need and stopped with SIGINT once they are done (a run that
# ended by itself first, on a machine loaded enough to stretch every sleep, used to fail the test).
"$SOAK" load --url "$URL" --rate 1000/s --duration "$(scaled 120)s" --interval 500ms --json "$TMP/b.json" \
    --jsonl "$TMP/b.jsonl" >"$TMP/b.out" 2>"$TMP/b.err" &
SOAK_PID=$!
sr_track "$SOAK_PID"
WARM=$(scaled 1)
sleep "$WARM"
kill -STOP "$MOCK_PID"
sleep 0.3
kill -CONT "$MOCK_PID"
sleep "$(scaled 1)"
BURST=$(open_conns)
# 10 intervals of 500 ms of wall-clock time, and two seconds to spare (soak's interval clock does not slow down
# under a sanitizer; what the recent need is under one is measured below, from the run's own series). The burst
# is counted (above) within those 10 intervals, the sanitizers' scaled second included.
sleep 7
AFTER=$(open_conns)
kill -0 "$SOAK_PID" 2>/dev/null || fail "the burst run ended before the connections were counted: $(cat "$TMP/b.err")"
kill -INT "$SOAK_PID"
wait "$SOAK_PID"
expect_eq "$?" "0" "exit status of the burst run, stopped by SIGINT: $(cat "$TMP/b.err")"
expect_eq "$(jq_py "$TMP/b.json" 'j["requests"]["failed"]')" "0" "failed requests in the burst run"
fcmp "$BURST >= 150" || fail "only $BURST connections open after a 300 ms stall at 1,000 requests/s"
# What recent traffic needs: the busiest in-flight depth of the intervals after the burst (more than usual on
# a busy machine, where every answer takes longer at the same rate).
NEED=$(python3 -c "
import json, math, sys
after = $WARM + 2.3
peaks = [j['inflight_max'] for j in map(json.loads, open(sys.argv[1])) if j['t'] >= after]
print(max(64, math.ceil(1.25 * max(peaks or [0]))))" "$TMP/b.jsonl")
fcmp "$AFTER <= $NEED + 10" || fail "$AFTER connections still open 7 s after a burst of $BURST (recent need $NEED)"
pass "a burst of $BURST connections shrinks back to $AFTER (recent need $NEED)"
