#!/usr/bin/env bash
# tests/integration/mock_queue_test.sh — the concurrency limit with its queue under load from several
# connections on two worker threads: every request finishes (h2load over HTTP/1.1 and h2c, rounds bounded
# by `timeout`: a slot passed to a worker whose loop sleeps used to hang the run), clients that disconnect
# while queued (HTTP/1.1 and h2c) neither keep nor leak a slot, the requests behind them are served, and
# the gauges of slots in use, queue depth and requests in flight all return to 0.
source "$(dirname "$0")/mock_lib.sh"

start_mock "
mock:
  threads: 2
  deployments:
    - {name: q, limits: {concurrency: 2, queue: 16}, latency: {ttft: 2ms, itl: 1ms}, output_tokens: fixed(4)}
    - {name: slow, limits: {concurrency: 1, queue: 8}, latency: {ttft: 250ms}, output_tokens: fixed(1)}
"
CHAT='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
printf '%s' "$CHAT" >"$TMP/chat.json"
command -v h2load >/dev/null || fail "h2load is missing (Debian package nghttp2-client)"

# gauges_zero NAME: every concurrency gauge of deployment NAME reads 0 within a few seconds (an HTTP/1.1
# client that left while queued is noticed only when its answer is written, after its turn).
gauges_zero() {
    local name=$1 tries i inflight queued running
    tries=$(sr_tries 10)
    for ((i = 0; i < tries; i++)); do
        inflight=$(metric "$name" "mock_concurrency_inflight{deployment=\"$name\"}")
        queued=$(metric "$name" "mock_concurrency_queued{deployment=\"$name\"}")
        running=$(metric "$name" "mock_inflight_requests{deployment=\"$name\"}")
        [ "$inflight $queued $running" == "0 0 0" ] && return 0
        sleep 0.1
    done
    fail "$name: slots in use, queued, in flight: expected '0 0 0', got '$inflight $queued $running'"
}

# 1. 8 connections on 2 slots and a queue of 16: nothing is refused, every round ends, all 200
Q=$(url_of q)
LIMIT=$(scaled 30)
for round in 1 2 3; do
    for proto in --h1 ""; do
        # shellcheck disable=SC2086
        timeout "$LIMIT" h2load $proto -c 8 -n 400 -d "$TMP/chat.json" -H 'content-type: application/json' \
            "$Q/chat/completions" >"$TMP/h2load.out" 2>&1 ||
            fail "round $round ${proto:-h2c}: h2load did not finish in ${LIMIT}s: $(tail -5 "$TMP/h2load.out")"
        expect_contains "$(cat "$TMP/h2load.out")" "400 succeeded, 0 failed, 0 errored" "round $round ${proto:-h2c}"
        expect_contains "$(cat "$TMP/h2load.out")" "status codes: 400 2xx" "round $round ${proto:-h2c} statuses"
    done
done
gauges_zero q
expect_eq "$(metric q 'mock_rate_limited_total{deployment="q",limit="concurrency"}')" 0 "refusals with room in the queue"
pass "2400 requests from 8 connections through 2 slots, HTTP/1.1 and h2c"

# 2. one slot: a request holds it, six give up while queued (three HTTP/1.1, three h2c), two wait behind them
SLOW=$(url_of slow)
post() { # OUT MAX_TIME [curl args]: status and exit code of one request, in the background
    local out=$1 max=$2
    shift 2
    (
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$max" "$@" -X POST -d "$CHAT" \
            "$SLOW/chat/completions")
        echo "$code $?" >"$out"
    ) &
    PIDS+=($!)
}
PIDS=()
post "$TMP/first" 10
sleep 0.05
for i in 1 2 3; do
    post "$TMP/gone$i" 0.1
    post "$TMP/gone2$i" 0.1 --http2-prior-knowledge
done
sleep 0.05
post "$TMP/after1" 20
post "$TMP/after2" 20 --http2-prior-knowledge
wait "${PIDS[@]}"
expect_eq "$(cat "$TMP/first")" "200 0" "the request holding the slot"
for f in gone1 gone2 gone3 gone21 gone22 gone23; do
    expect_eq "$(cut -d' ' -f2 <"$TMP/$f")" 28 "$f: the client gave up while queued (curl's timeout)"
done
expect_eq "$(cat "$TMP/after1")" "200 0" "HTTP/1.1 request queued behind the departed ones"
expect_eq "$(cat "$TMP/after2")" "200 0" "h2c request queued behind the departed ones"
gauges_zero slow
pass "clients that leave while queued hold no slot"

# 3. the same, then the deployment is idle: a new request runs at once (no slot was leaked)
START=$(date +%s.%N)
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST -d "$CHAT" "$SLOW/chat/completions")" 200 \
    "a request on the idle deployment"
END=$(date +%s.%N)
fcmp "$END - $START < 0.25 + 0.5 * $SCALE" || fail "the idle deployment took $(python3 -c "print($END - $START)") s"
pass "a slot is free once the queue drained"

stop_mock
pass "concurrency queue"
