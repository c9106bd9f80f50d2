#!/usr/bin/env bash
# tests/integration/mock_faults_test.sh — request faults applied by the real mock-provider, seen from a client
# (curl): http_error bodies and Retry-After, a stall that resumes (the answer comes later by the stall), a stall
# that ends in a reset, close (FIN: an empty reply) and reset (RST: connection reset) told apart by curl's exit
# status, the same inside a response (after N stream chunks, after the headers, after N bytes), truncate, drip,
# malformed bodies and stream events, accept_pause, first N with a route filter, the x-mock-fault header,
# mock_faults_total, conn_limit (keep-alive connections closed after N requests or an age), and a kind this
# build does not apply refused by --check with its position.
source "$(dirname "$0")/mock_lib.sh"

start_mock "
mock:
  threads: 2
  deployments:
    - name: f
      output_tokens: fixed(4)
      faults:
        - {name: e503, kind: http_error, status: 503, retry_after: 1500ms, probability: 0%}
        - {name: e429, kind: http_error, status: 429, probability: 0%}
        - {name: e418, kind: http_error, status: 418, probability: 0%}
        - {name: slow, kind: stall, duration: 400ms, probability: 0%}
        - {name: slowcut, kind: stall, duration: 300ms, then: reset, probability: 0%}
        - {name: fin, kind: close, probability: 0%}
        - {name: rst, kind: reset, probability: 0%}
        - {name: bad, kind: malformed, probability: 0%}
        - {name: serr, kind: stream_error, at: {after_chunks: 2}, probability: 0%}
        - {kind: http_error, status: 500, first: 2, routes: [embeddings]}
"
URL=$(url_of f)
CHAT='{"model":"m","messages":[{"role":"user","content":"hi"}]}'

# call FAULT [curl args...]: POSTs $DATA (default: a chat request) asking for FAULT; sets RC (curl's exit
# status), CODE, TIME, HEADERS (lower-cased) and BODY.
call() {
    local fault=$1
    shift
    RC=0
    rm -f "$TMP/h" "$TMP/b" # curl leaves an earlier file in place when it receives nothing
    curl -s -m 10 -D "$TMP/h" -o "$TMP/b" -w '%{http_code} %{time_total}' -H "x-mock-fault: $fault" \
        -H 'content-type: application/json' -d "${DATA:-$CHAT}" "$@" "$URL/chat/completions" >"$TMP/w" 2>/dev/null || RC=$?
    read -r CODE TIME <"$TMP/w"
    HEADERS=$(tr 'A-Z' 'a-z' <"$TMP/h" 2>/dev/null | tr -d '\r')
    BODY=$(cat "$TMP/b" 2>/dev/null)
}

call e503
expect_eq "$CODE" "503" "status of http_error 503"
expect_contains "$HEADERS" "retry-after: 2" "Retry-After of 1500ms, rounded up to whole seconds"
expect_contains "$HEADERS" "x-mock-fault: e503" "the fault named in the response"
expect_eq "$(echo "$BODY" | json '(j["error"]["type"], j["error"]["message"])')" \
    "('server_error', 'The engine is currently overloaded, please try again later.')" "OpenAI's 503 body"

call e429
expect_eq "$CODE" "429" "status of http_error 429"
expect_eq "$(echo "$BODY" | json '(j["error"]["type"], j["error"]["code"])')" "('requests', 'rate_limit_exceeded')" \
    "OpenAI's 429 body"
case "$HEADERS" in *retry-after*) fail "a 429 without retry_after has no Retry-After: $HEADERS" ;; esac

call e418
expect_eq "$CODE" "418" "any status"
expect_eq "$(echo "$BODY" | json 'sorted(j["error"].keys())')" "['code', 'message', 'param', 'type']" \
    "the provider's error shape for another status"

call slow
expect_eq "$RC/$CODE" "0/200" "a stall that resumes answers"
fcmp "$TIME >= 0.39" || fail "answered after $TIME s, before the 400 ms stall ended"
fcmp "$TIME < 0.4 + 0.5 * $SCALE" || fail "answered after $TIME s for a 400 ms stall"
expect_eq "$(echo "$BODY" | json 'j["object"]')" "chat.completion" "the normal answer after the stall"

call slowcut
expect_eq "$RC" "56" "curl's exit status for a stall that ends in a reset (56: connection reset)"
fcmp "$TIME >= 0.29" || fail "reset after $TIME s, before the 300 ms stall ended"

call fin
expect_eq "$RC" "52" "curl's exit status for close (52: empty reply, a FIN before any response)"
call rst
expect_eq "$RC" "56" "curl's exit status for reset (56: connection reset by peer)"

call bad
expect_eq "$CODE" "200" "malformed answers 200"
if echo "$BODY" | json 'j' >/dev/null 2>&1; then fail "the malformed body parses as JSON: $BODY"; fi
expect_contains "$BODY" '"object":"chat.completion"' "a malformed body still looks like the provider's"
DATA='{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}' call bad -N
FIRST=$(grep -m1 '^data: ' "$TMP/b" | cut -c7-)
if echo "$FIRST" | json 'j' >/dev/null 2>&1; then fail "the first stream event parses as JSON: $FIRST"; fi
[ "$(grep -c '^data: ' "$TMP/b")" -gt 2 ] || fail "the stream did not go on after the malformed event: $(cat "$TMP/b")"

# No header, no fault for chat; embeddings get the first-2 500.
call ""
expect_eq "$CODE" "200" "a request that asks for no fault (empty header)"
case "$HEADERS" in *x-mock-fault*) fail "no fault applied but x-mock-fault sent: $HEADERS" ;; esac
CODES=""
for _ in 1 2 3 4; do
    CODES+="$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
        -d '{"model":"m","input":"x"}' "$URL/embeddings") "
done
expect_eq "$CODES" "500 500 200 200 " "first: 2 with routes: [embeddings]"

F=(mock_faults_total\{deployment=\"f\",kind=)
expect_eq "$(metric f "${F[0]}\"http_error\"}")" "5" "mock_faults_total http_error (503, 429, 418, two 500s)"
expect_eq "$(metric f "${F[0]}\"stall\"}")" "2" "mock_faults_total stall"
expect_eq "$(metric f "${F[0]}\"close\"}")" "1" "mock_faults_total close"
expect_eq "$(metric f "${F[0]}\"reset\"}")" "1" "mock_faults_total reset"
expect_eq "$(metric f "${F[0]}\"malformed\"}")" "2" "mock_faults_total malformed"
# The mock keeps serving after every cut connection.
call ""
expect_eq "$CODE" "200" "a normal request after the faults"
# stream_error after 2 token events: the opening event and two tokens, then OpenAI's error object as a data: frame, and the stream ends (no [DONE])
DATA='{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}' call serr
expect_eq "$RC $CODE" "0 200" "stream_error: a 200 stream that ends cleanly"
expect_eq "$(grep -c '"content":"' <<<"$BODY")" 3 "stream_error: the role chunk and two tokens before the point"
LASTF=$(grep '^data: ' <<<"$BODY" | tail -1)
expect_contains "$LASTF" 'data: {"error":{"message":"The engine is currently overloaded' "stream_error: the error frame"
[[ "$BODY" != *"[DONE]"* ]] || fail "stream_error: [DONE] after the error"
# a whole body is answered as usual
call serr
expect_eq "$CODE" 200 "stream_error on a non-stream request"
pass "stream_error"
stop_mock

# Faults at a point inside the response: the client gets exactly what comes before the point, then the fault.
start_mock "
mock:
  deployments:
    - name: m
      output_tokens: fixed(6)
      latency: {itl: 20ms}
      faults:
        - {name: rst2, kind: reset, at: {after_chunks: 2}, probability: 0%}
        - {name: fin2, kind: close, at: {after_chunks: 2}, probability: 0%}
        - {name: hold1, kind: stall, at: {after_chunks: 1}, duration: 400ms, probability: 0%}
        - {name: holdcut, kind: stall, at: after_headers, duration: 300ms, then: close, probability: 0%}
        - {name: trunc, kind: truncate, bytes: 20, probability: 0%}
        - {name: hdr, kind: close, at: after_headers, probability: 0%}
        - {name: b30, kind: stall, at: {after_bytes: 30}, duration: 300ms, probability: 0%}
        - {name: drip, kind: drip, bytes: 200, every: 100ms, probability: 0%}
"
URL=$(url_of m)
STREAM='{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}'
events() { grep -c '^data: ' "$TMP/b" 2>/dev/null || true; }
DATA=$STREAM call rst2 -N
expect_eq "$RC/$(events)" "56/3" "reset after 2 chunks: curl's status / events received (the opening one and 2 tokens)"
DATA=$STREAM call fin2 -N
expect_eq "$RC/$(events)" "18/3" "close after 2 chunks: curl's status (18: transfer closed early) / events received"
DATA=$STREAM call hold1 -N
expect_eq "$RC/$(grep -c '^data: \[DONE\]' "$TMP/b")" "0/1" "a stall after 1 chunk resumes and the stream ends"
fcmp "$TIME >= 0.49" || fail "stream with a 400 ms stall and 100 ms of tokens ended after $TIME s"
DATA=$STREAM call holdcut -N
expect_eq "$RC/$(events)" "18/1" "a stall after the headers (on a stream: the opening event), then close"
fcmp "$TIME >= 0.29" || fail "closed after $TIME s, before the 300 ms stall ended"
call trunc
expect_eq "$RC/$CODE/$(cat "$TMP/b" 2>/dev/null | wc -c)" "18/200/20" "truncate: 200, then 20 bytes of the body and a FIN"
call hdr
expect_eq "$RC/$CODE/$(cat "$TMP/b" 2>/dev/null | wc -c)" "18/200/0" "close after the headers of a whole body"
call b30
expect_eq "$RC/$CODE" "0/200" "a stall after 30 bytes of a whole body resumes"
fcmp "$TIME >= 0.39" || fail "a body with a 300 ms stall after 100 ms of tokens came after $TIME s"
expect_eq "$(echo "$BODY" | json 'j["object"]')" "chat.completion" "the whole body after the stall"
# drip: a body of about 600 bytes in pieces of 200 every 100 ms takes at least two intervals more than the
# plan's 100 ms of tokens, and arrives whole.
call drip
expect_eq "$RC/$CODE" "0/200" "a dripped body"
expect_eq "$(echo "$BODY" | json 'j["object"]')" "chat.completion" "the whole body, dripped"
LEN=$(cat "$TMP/b" | wc -c)
fcmp "$TIME >= 0.1 + 0.1 * (($LEN + 199) // 200 - 1) - 0.01" || fail "$LEN bytes by 200 every 100 ms in $TIME s"
DATA=$STREAM call drip -N
expect_eq "$RC/$(grep -c '^data: \[DONE\]' "$TMP/b")" "0/1" "a dripped stream ends"
LEN=$(cat "$TMP/b" | wc -c)
fcmp "$TIME >= 0.1 * (($LEN + 199) // 200 - 1) - 0.01" || fail "a $LEN-byte stream by 200 every 100 ms in $TIME s"
stop_mock

# conn_limit: the 3rd request on a keep-alive connection is answered with "Connection: close" and the server
# closes the connection (EOF on the client's next read); a connection older than its age limit likewise.
start_mock "
mock:
  deployments:
    - name: c
      output_tokens: fixed(2)
      faults:
        - {name: ttl, kind: conn_limit, requests: 3, age: 1500ms}
"
PORT=$(url_of c | sed -E 's#.*:([0-9]+)/v1#\1#')
OUT=$(python3 - "$PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
body = b'{"model":"m","messages":[{"role":"user","content":"hi"}]}'
req = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
       + str(len(body)).encode() + b"\r\n\r\n" + body)
def exchange(s):
    s.sendall(req)
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(65536)
    head, rest = data.split(b"\r\n\r\n", 1)
    length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(rest) < length:
        rest += s.recv(65536)
    return b"connection: close" in head.lower()
def closed_by_server(s):
    s.settimeout(2)
    try:
        return s.recv(1) == b""
    except OSError:
        return False
out = []
s = socket.create_connection(("127.0.0.1", port))
out.append([exchange(s) for _ in range(3)])
out.append(closed_by_server(s))
s = socket.create_connection(("127.0.0.1", port))
first = exchange(s)
time.sleep(1.8)
out.append([first, exchange(s), closed_by_server(s)])
print(out)
PY
)
expect_eq "$OUT" "[[False, False, True], True, [False, True, True]]" \
    "close after 3 requests, then after 1.5 s of age (per response: Connection: close?; then: server closed?)"
expect_eq "$(metric c 'mock_faults_total{deployment="c",kind="conn_limit"}')" "2" "mock_faults_total conn_limit"
stop_mock

start_mock "
mock:
  deployments:
    - name: c
      output_tokens: fixed(2)
      faults:
        - {name: ttl, kind: conn_limit, requests: 3}
"
PORT=$(url_of c | sed -E 's#.*:([0-9]+)/v1#\1#')
# conn_limit on HTTP/2 (h2c, prior knowledge): after the 3rd request the server sends GOAWAY with NO_ERROR and
# the highest stream id (no new streams; nothing sent is refused), about a second later a second GOAWAY naming
# the last stream opened (5), then it closes the connection. Frames read off the socket by a minimal client.
OUT=$(python3 - "$PORT" <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(5)
def frame(ftype, flags, sid, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", sid) + payload
def lit(name, value):  # HPACK literal header field without indexing, new name, no Huffman
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value
body = b'{"model":"m","messages":[{"role":"user","content":"hi"}]}'
block = (lit(b":method", b"POST") + lit(b":scheme", b"http") + lit(b":path", b"/v1/chat/completions")
         + lit(b":authority", b"x") + lit(b"content-type", b"application/json")
         + lit(b"content-length", str(len(body)).encode()))
s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, b""))
buf = b""
def next_frame():
    global buf
    while len(buf) < 9 or len(buf) < 9 + int.from_bytes(buf[:3], "big"):
        data = s.recv(65536)
        if not data:
            return None
        buf += data
    n = int.from_bytes(buf[:3], "big")
    f = (buf[3], buf[4], int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF, buf[9:9 + n])
    buf = buf[9 + n:]
    return f
events, t0 = [], None
for sid in (1, 3, 5):
    s.sendall(frame(1, 4, sid, block) + frame(0, 1, sid, body))
    while True:
        f = next_frame()
        if f is None:
            break
        ftype, flags, fsid, payload = f
        if ftype == 4 and not flags & 1:
            s.sendall(frame(4, 1, 0, b""))
        if ftype == 7:
            events.append(("goaway", int.from_bytes(payload[:4], "big") & 0x7FFFFFFF, int.from_bytes(payload[4:8], "big")))
            t0 = time.monotonic()
        if fsid == sid and ftype in (0, 1) and flags & 1:
            events.append(("done", sid))
            break
while True:
    f = next_frame()
    if f is None:
        events.append(("eof", round(time.monotonic() - t0, 1) if t0 else None))
        break
    if f[0] == 7:
        events.append(("goaway", int.from_bytes(f[3][:4], "big") & 0x7FFFFFFF, int.from_bytes(f[3][4:8], "big"),
                       round(time.monotonic() - t0, 1)))
# A client that closes as soon as it sees the first GOAWAY: the mock's timer for the second must not outlive
# the connection (ASan builds catch a use after free; the metrics read below need the mock alive after 1.5 s).
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(5)
buf = b""
s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0, b""))
for sid in (1, 3, 5):
    s.sendall(frame(1, 4, sid, block) + frame(0, 1, sid, body))
    while True:
        f = next_frame()
        if f is None or (f[2] == sid and f[0] in (0, 1) and f[1] & 1):
            break
s.close()
time.sleep(1.5)
print(events)
PY
)
# The first GOAWAY goes out with the 3rd response (before or after its last frame); the second after about a
# second (0.8 to 3 s: a loaded machine), then EOF at once.
GOT=$(python3 -c "
import ast, sys
e = ast.literal_eval(sys.argv[1])
first = [x for x in e if x[0] == 'goaway' and len(x) == 3]
final = [x for x in e if x[0] == 'goaway' and len(x) == 4]
done = [x[1] for x in e if x[0] == 'done']
print(done, first, [x[1:3] for x in final], 0.8 <= final[0][3] <= 3.0 if final else None, e[-1][0])
" "$OUT")
expect_eq "$GOT" "[1, 3, 5] [('goaway', 2147483647, 0)] [(5, 0)] True eof" \
    "HTTP/2: streams answered, first GOAWAY (last id, error), final GOAWAY (last id, error), its delay, then ($OUT)"

# A real HTTP/2 client (Node's http2, nghttp2 underneath): seven requests in a row take three sessions, every
# request answered, each retired session having received the GOAWAY.
command -v node >/dev/null || fail "node is not installed (run ci/install-deps.sh --test)"
H2=$(timeout 60 node "$(dirname "$0")/h2_client.js" "http://127.0.0.1:$PORT" 7)
expect_eq "$(python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(j["statuses"], j["sessions"], [(g["session"], g["code"]) for g in j["goaways"]][:2])' "$H2")" \
    "[200, 200, 200, 200, 200, 200, 200] 3 [(1, 0), (2, 0)]" "Node's http2 client over conn_limit ($H2)"
expect_eq "$(metric c 'mock_faults_total{deployment="c",kind="conn_limit"}')" "4" "mock_faults_total conn_limit, HTTP/2"
stop_mock

# accept_pause: from 2 s to 4.5 s after the mock started, its listener accepts nothing: a client that connects
# then (the kernel completes the handshake) waits until the window ends; before and after, answers come at
# once. Times are taken from when the mock said it was ready (a few ms after its start), not from when
# python got going, which on a loaded machine can be a second later.
start_mock "
mock:
  deployments:
    - name: p
      faults:
        - {kind: accept_pause, window: 2s..4500ms}
"
READY=$(date +%s.%N)
OUT=$(python3 - "$(url_of p)" "$READY" <<'PY'
import sys, time, urllib.request
url, ready = sys.argv[1] + "/models", float(sys.argv[2])
def timed():
    t = time.time()
    urllib.request.urlopen(urllib.request.Request(url, headers={"Connection": "close"}), timeout=30).read()
    return time.time() - t
before_at = time.time() - ready
before = timed()
time.sleep(max(0, 3.0 - (time.time() - ready)))
at = time.time() - ready
during = timed()
after = timed()
print("%.3f %.3f %.3f %.3f %.3f" % (before_at, before, at, during, after))
PY
)
read -r BEFORE_AT BEFORE AT DURING AFTER <<<"$OUT"
fcmp "$BEFORE_AT + $BEFORE < 2.0" || fail "the first request ($BEFORE_AT s after ready) took $BEFORE s: not before the window"
fcmp "$AT >= 2.1 and $AT < 4.0" || fail "the paused request was sent $AT s after ready, outside the window"
fcmp "$DURING >= 4.5 - $AT - 0.3" || fail "a request sent at $AT s got its answer after $DURING s, before the window ended"
fcmp "$AFTER < 0.5 * $SCALE" || fail "a request after the window took $AFTER s"
# Each worker thread pauses its own listener and counts it.
fcmp "$(metric p 'mock_faults_total{deployment="p",kind="accept_pause"}') >= 1" || fail "accept_pause not counted"
stop_mock


# pause: the whole deployment freezes for 500 ms every second (from 1 s after the start). Twenty requests, one
# every 100 ms one after the other: one sent inside a pause waits for its end (so about one per pause is held),
# the others are answered at once.
start_mock "
mock:
  threads: 2
  deployments:
    - {name: z, output_tokens: fixed(2), faults: [{kind: pause, duration: 500ms, every: 1s}]}
"
# One python process sends them all (a curl and two comparisons per request cost more than the pauses).
read -r HELD MAXT <<<"$(python3 - "$(url_of z)/chat/completions" "$CHAT" <<'PY'
import sys, time, urllib.request
url, body = sys.argv[1], sys.argv[2].encode()
times = []
for _ in range(20):
    t = time.monotonic()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", "Connection": "close"})
    urllib.request.urlopen(req, timeout=10).read()
    times.append(time.monotonic() - t)
    time.sleep(0.1)
print(sum(1 for t in times if t > 0.08), "%.3f" % max(times))
PY
)"
fcmp "$HELD >= 2" || fail "pause: only $HELD of 20 requests were held back (one per pause is expected)"
fcmp "$MAXT <= 0.5 + 0.5 * $SCALE" || fail "pause: a request waited ${MAXT}s for a 500 ms pause"
fcmp "$(metric z 'mock_faults_total{deployment="z",kind="pause"}') >= 2" || fail "pause not counted"
stop_mock
pass "pause: $HELD of 20 requests held, longest ${MAXT}s"

# Points a kind does not take are refused with their position, never ignored.
printf 'mock:\n  deployments:\n    - name: x\n      faults:\n        - {kind: stream_error, at: before_headers}\n' >"$TMP/t.yaml"
OUT=$("$MOCK_PROVIDER" --config "$TMP/t.yaml" --check 2>&1) && fail "--check accepted a stream_error before the headers: $OUT"
expect_contains "$OUT" "t.yaml:5:" "position of the refused fault"
printf 'mock:\n  deployments:\n    - name: x\n      faults:\n        - {kind: stall}\n' >"$TMP/r.yaml"
OUT=$("$MOCK_PROVIDER" --config "$TMP/r.yaml" --check 2>&1) && fail "--check accepted a stall without duration"
expect_contains "$OUT" "faults[0].duration: required for this kind" "a missing parameter"
pass "faults: http_error, stall, close, reset (before and inside responses), truncate, drip, malformed, conn_limit"
