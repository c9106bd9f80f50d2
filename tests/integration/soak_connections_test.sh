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

# connections RUN_ARGS...: runs soak and prints the number of connections it opened
connections() {
    run_soak load --url "$URL" --rate 100/s --duration 2s --json "$TMP/c.json" "$@"
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

N=$(connections --max-conn-age 500ms)
# A connection is retired by the first request that finds it 500 ms old: 4 in 2 s for each connection that
# was needed at once (a stall on a busy machine makes requests overlap), plus one.
MAXIN=$(jq_py "$TMP/c.json" 'j["requests"]["inflight_max"]')
fcmp "4 <= $N <= 4 * $MAXIN + 1" || fail "$N connections with --max-conn-age 500ms over 2 s (in flight <= $MAXIN)"
pass "max age 500ms: $N connections (at most $MAXIN in flight)"
