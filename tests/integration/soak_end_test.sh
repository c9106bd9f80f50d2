#!/usr/bin/env bash
# tests/integration/soak_end_test.sh — the run ends on time: against a target that never answers, soak stops
# at the planned end plus the drain and counts what it cut off as aborted (not outcomes); SIGINT stops a
# run early and still writes every report (interrupted: true); kill -9 leaves the JSONL intervals already
# closed on disk.
source "$(dirname "$0")/soak_lib.sh"

start_mock "
mock:
  threads: 1
  deployments:
    - name: hang
      latency: {ttft: 60s}
      output_tokens: fixed(1)
    - name: fast
      latency: {ttft: 5ms}
      output_tokens: fixed(2)
"
HANG=$(url_of hang)
FAST=$(url_of fast)

# ---- a hanging target: 2 s of arrivals + 1 s drain, then abort ----
T0=$(date +%s.%N)
run_soak load --url "$HANG" --rate 20/s --duration 2s --drain 1s --quiet --json "$TMP/hang.json"
T1=$(date +%s.%N)
expect_eq "$RC" "1" "exit status (nothing succeeded)"
ELAPSED=$(python3 -c "print($T1 - $T0)")
fcmp "$ELAPSED < 3 + $(scaled 1.5)" || fail "run took $ELAPSED s for 2s + 1s drain"
expect_eq "$(jq_py "$TMP/hang.json" 'j["requests"]["sent"]')" "40" "sent"
expect_eq "$(jq_py "$TMP/hang.json" 'j["requests"]["aborted"]')" "40" "aborted at the end"
expect_eq "$(jq_py "$TMP/hang.json" 'j["requests"]["total"]')" "0" "total (aborted requests have no outcome)"
pass "hanging target: ended after ${ELAPSED}s, 40 aborted"

# --drain 0s cuts off at the planned end itself.
T0=$(date +%s.%N)
run_soak load --url "$HANG" --rate 20/s --duration 1s --drain 0s --quiet
T1=$(date +%s.%N)
ELAPSED=$(python3 -c "print($T1 - $T0)")
fcmp "$ELAPSED < 1 + $(scaled 1)" || fail "run with --drain 0s took $ELAPSED s"
pass "--drain 0s: ended after ${ELAPSED}s"

# --timeout: a request still unanswered after it is a timeout (a failure), not an abort.
run_soak load --url "$HANG" --rate 10/s --duration 1s --timeout 300ms --quiet --json "$TMP/to.json"
expect_eq "$RC" "1" "exit status (every request timed out)"
expect_eq "$(jq_py "$TMP/to.json" 'j["errors"].get("timeout", 0)')" "10" "timeouts"
expect_eq "$(jq_py "$TMP/to.json" 'j["requests"]["failed"]')" "10" "timeouts are failures"
expect_contains "$(cat "$TMP/soak.err")" "soak: first timeout at" "first timeout line"
pass "--timeout 300ms: 10 timeouts"

# A stream whose one SSE line never ends passes the 4 MiB event limit: the request ends there as stream_parse
# (it was read on until the peer stopped, the timeout or the drain: here the drain, an abort).
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8); print(s.getsockname()[1], flush=True)
c, _ = s.accept(); c.recv(65536); c.settimeout(10)
c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: ")
end = time.time() + 30
try:
    while time.time() < end: c.sendall(b"a" * 65536)
except OSError: pass
' >"$TMP/sse.port" &
sr_track $!
for _ in $(seq 1 50); do [ -s "$TMP/sse.port" ] && break; sleep 0.1; done
run_soak load --url "http://127.0.0.1:$(cat "$TMP/sse.port")/v1" --stream --rate 1/s --duration 1s --timeout 30s \
    --drain 3s --quiet --json "$TMP/sse.json"
expect_eq "$(jq_py "$TMP/sse.json" 'j["errors"]')" "{'stream_parse': 1}" "an endless SSE line"
expect_eq "$(jq_py "$TMP/sse.json" 'j["requests"]["aborted"]')" "0" "ended by soak, not by the drain"
pass "an SSE event past 4 MiB: stream_parse at once"

# --max-inflight: arrivals that find the cap reached are dropped (counted), never queued.
run_soak load --url "$HANG" --rate 100/s --duration 1s --max-inflight 10 --drain 0s --quiet --json "$TMP/cap.json"
expect_eq "$(jq_py "$TMP/cap.json" 'j["requests"]["sent"]')" "10" "sent under a cap of 10"
expect_eq "$(jq_py "$TMP/cap.json" 'j["requests"]["dropped"]')" "90" "dropped at the cap"
expect_eq "$(jq_py "$TMP/cap.json" 'j["requests"]["inflight_max"]')" "10" "in flight at most"
pass "--max-inflight 10: 10 sent, 90 dropped"

# ---- SIGTERM stops like SIGINT ----
"$SOAK" load --url "$FAST" --rate 20/s --duration 30s --quiet --json "$TMP/term.json" >"$TMP/soak.out" \
    2>"$TMP/soak.err" &
PID=$!
sr_track "$PID"
sleep 1
kill -TERM "$PID"
wait "$PID"
RC=$?
expect_eq "$RC" "0" "exit status after SIGTERM"
expect_eq "$(jq_py "$TMP/term.json" 'j["run"]["interrupted"]')" "True" "interrupted after SIGTERM"
pass "SIGTERM: stopped and reported"

# ---- SIGINT: stop early, write everything ----
"$SOAK" load --url "$FAST" --rate 50/s --duration 30s --quiet --json "$TMP/int.json" --jsonl "$TMP/int.jsonl" \
    --junit "$TMP/int.xml" >"$TMP/soak.out" 2>"$TMP/soak.err" &
PID=$!
sr_track "$PID"
sleep 1.5
kill -INT "$PID"
T0=$(date +%s.%N)
wait "$PID"
RC=$?
T1=$(date +%s.%N)
fcmp "$T1 - $T0 < $(scaled 3)" || fail "soak took $(python3 -c "print($T1 - $T0)") s to stop after SIGINT"
expect_eq "$RC" "0" "exit status after SIGINT (default verdict: every request answered)"
expect_eq "$(jq_py "$TMP/int.json" 'j["run"]["interrupted"]')" "True" "interrupted flag"
DUR=$(jq_py "$TMP/int.json" 'j["run"]["duration_s"]')
fcmp "1.0 < $DUR < 1.5 + $(scaled 1)" || fail "measured duration $DUR s after SIGINT at 1.5 s"
OK=$(jq_py "$TMP/int.json" 'j["requests"]["ok"]')
fcmp "$OK >= 60" || fail "only $OK requests succeeded before SIGINT"
[ -s "$TMP/int.xml" ] || fail "JUnit not written after SIGINT"
[ -s "$TMP/int.jsonl" ] || fail "JSONL not written after SIGINT"
expect_contains "$(cat "$TMP/soak.out")" "INTERRUPTED" "table marks the run interrupted"
pass "SIGINT: stopped after ${DUR}s with $OK ok, every report written"

# ---- kill -9: closed intervals survive ----
"$SOAK" load --url "$FAST" --rate 50/s --duration 30s --quiet --jsonl "$TMP/k.jsonl" \
    >"$TMP/soak.out" 2>"$TMP/soak.err" &
PID=$!
sr_track "$PID"
sleep 3.6
kill -KILL "$PID"
wait "$PID" 2>/dev/null
LINES=$(wc -l <"$TMP/k.jsonl" | tr -d ' ')
fcmp "$LINES >= 2" || fail "only $LINES JSONL lines after 3.6 s"
python3 - "$TMP/k.jsonl" <<'EOF' || fail "JSONL after kill -9 is not complete JSON lines"
import json, sys
data = open(sys.argv[1]).read()
assert data.endswith("\n"), "last line is cut"
lines = [json.loads(l) for l in data.splitlines()]
# An interval counts the requests that completed in it: at 50/s on a busy machine an answer can land just past
# a boundary, moving one request to the next interval, but none is lost or counted twice.
closed = [l["requests"] for l in lines[:-1]]
assert all(abs(n - 50) <= 2 for n in closed), closed
assert abs(sum(closed) - 50 * len(closed)) <= 2, closed
EOF
pass "kill -9: $LINES complete JSONL intervals kept"
