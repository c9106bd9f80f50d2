#!/usr/bin/env bash
# tests/integration/soak_html_test.sh — the HTML report renders in a real browser: a short soak load against
# the real mock (two deployments, one answering 429 and 503 at random, streams) writes report.html into its report directory
# (and to --html FILE); Debian's chromium, headless, screenshots it (the PNG must not be blank: many
# non-white pixels, several colours) and dumps its DOM (every chart is an <svg> with its lines, the verdict
# table and the escaped hostile scenario name are there). chromium missing is a failure, never a skip
# (ci/install-deps.sh --test installs it).
source "$(dirname "$0")/soak_lib.sh"

CHROMIUM=${CHROMIUM:-chromium}
command -v "$CHROMIUM" >/dev/null ||
    fail "$CHROMIUM not found: this test renders the HTML report in Debian's chromium (ci/install-deps.sh --test)"

start_mock "
mock:
  threads: 1
  deployments:
    - {name: alpha, provider: openai, models: [m], latency: {ttft: 5ms}, output_tokens: fixed(4)}
    - name: beta
      provider: openai
      models: [m]
      latency: {ttft: 10ms}
      output_tokens: fixed(4)
      faults:
        - {kind: http_error, status: 429, probability: 20%}
        - {kind: http_error, status: 503, probability: 10%}
"
A=$(url_of alpha)
B=$(url_of beta)

# A scenario name with everything HTML would misread: it must come out as text, not markup.
cat >"$TMP/html.yaml" <<EOF2
name: "html <b>bold</b> & \"quoted\" 'single'"
duration: 3s
load:
  target: ["$A", "$B"]
  router: {policy: round-robin, retries: 0, cooldown: 1ms}
  arrival: {constant: 40/s}
  requests: [{api: openai.chat, model: m, stream: true}]
expect:
  - {metric: failure_rate, max: 90%}
  - {metric: latency.p99, max: 1ms}
report: {dir: "$TMP/reports"}
EOF2
run_soak load --quiet --config "$TMP/html.yaml" --html "$TMP/flag.html"
expect_eq "$RC" "1" "exit status (latency.p99 < 1ms fails; $(tail -3 "$TMP/soak.err"))"
# --html FILE takes precedence over the directory's report.html, like --json over summary.json.
[ -s "$TMP/flag.html" ] || fail "--html FILE: $TMP/flag.html not written"
expect_contains "$(cat "$TMP/soak.err")" "soak: wrote $TMP/flag.html" "the run names the HTML file"
run_soak load --quiet --config "$TMP/html.yaml" --duration 2s
expect_eq "$RC" "1" "exit status of the second run"
HTML="$TMP/reports/report.html"
[ -s "$HTML" ] || fail "report.html not written into the report directory (formats default to all four)"
[ -s "$TMP/reports/summary.json" ] || fail "summary.json not written beside report.html"
expect_eq "$(grep 'soak: wrote' "$TMP/soak.err" | head -1)" "soak: wrote $HTML" "the first file listed (the HTML)"
# soak run writes it too, with no report: section (the directory from --report-dir).
cat >"$TMP/run.yaml" <<EOF2
name: html-run
duration: 1s
mock:
  threads: 1
  deployments:
    - {name: a, provider: openai, listen: 127.0.0.1:8080, models: [m], output_tokens: fixed(2)}
load:
  target: "{{deployments.a.url}}"
  arrival: {constant: 20/s}
  requests: [{api: openai.chat, model: m}]
EOF2
run_soak run --quiet --report-dir "$TMP/run" "$TMP/run.yaml"
expect_eq "$RC" "0" "soak run exit status ($(tail -3 "$TMP/soak.err"))"
[ -s "$TMP/run/report.html" ] || fail "soak run wrote no report.html: $(ls "$TMP/run")"
pass "report.html in the report directory (soak load and soak run) and --html FILE"

# Offline: nothing is fetched from anywhere.
if grep -Eqi '(src|href)=["'"'"']?(https?:)?//|url\(|@import|<script|<link' "$HTML"; then
    fail "report.html references something outside itself: $(grep -Eoi '(src|href)=.{0,60}|url\(.{0,60}|<script|<link|@import' "$HTML" | head -3)"
fi
pass "no external reference"

# ---- render in chromium, bounded in time ----
PROFILE="$TMP/chromium-profile"
# chrome ARGS...: chromium on $HTML in the background (tracked, so the EXIT trap stops it by PID), under
# timeout, which signals chromium's whole process group if it hangs; stdout in $TMP/chromium.out.
chrome() {
    timeout -k 5 "$(scaled 60)" "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --no-default-browser-check --disable-extensions --disable-background-networking \
        --user-data-dir="$PROFILE" --hide-scrollbars "$@" "file://$HTML" >"$TMP/chromium.out" \
        2>>"$TMP/chromium.err" &
    local pid=$!
    sr_track "$pid"
    wait "$pid"
}
chrome --screenshot="$TMP/shot.png" --window-size=1280,2000 ||
    fail "chromium --screenshot failed (exit $?): $(tail -5 "$TMP/chromium.err")"
[ -s "$TMP/shot.png" ] || fail "chromium wrote no screenshot: $(tail -5 "$TMP/chromium.err")"
# Decodes the PNG with zlib alone (8-bit RGB or RGBA, non-interlaced: what chromium writes) and counts
# pixels that are not white and the distinct colours among them (text is grey/black; the lines add colours).
python3 - "$TMP/shot.png" >"$TMP/png.txt" <<'EOF2' || fail "screenshot check: $(cat "$TMP/png.txt")"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, hdr = 8, [], None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        hdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat.append(body)
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = hdr
assert depth == 8 and ctype in (2, 6) and interlace == 0, "unexpected PNG format %r" % (hdr,)
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(b"".join(idat))
stride = w * bpp
prev = bytearray(stride)
nonwhite, colours = 0, set()
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if f == 1:
        for i in range(bpp, stride):
            line[i] = (line[i] + line[i - bpp]) & 255
    elif f == 2:
        line = bytearray((a + b) & 255 for a, b in zip(line, prev))
    elif f == 3:
        for i in range(stride):
            line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
    elif f == 4:
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + 3])
        if px != b"\xff\xff\xff":
            nonwhite += 1
            if len(colours) < 10000:
                colours.add(px)
    prev = line
print("%dx%d, %d non-white pixels, %d colours" % (w, h, nonwhite, len(colours)))
assert nonwhite > w * h // 100, "the page looks blank"
assert len(colours) >= 8, "too few colours for charts"
EOF2
pass "screenshot: $(cat "$TMP/png.txt")"

chrome --dump-dom && mv "$TMP/chromium.out" "$TMP/dom.html" || fail "chromium --dump-dom failed: $(tail -5 "$TMP/chromium.err")"
DOM=$(cat "$TMP/dom.html")
for id in chart-rate chart-latency chart-ttft chart-errors chart-deployments verdicts totals; do
    expect_contains "$DOM" "id=\"$id\"" "element #$id in the rendered DOM"
done
expect_eq "$(grep -o '<svg' "$TMP/dom.html" | wc -l)" "5" "SVG charts in the DOM"
[ "$(grep -o '<path class="series"' "$TMP/dom.html" | wc -l)" -ge 8 ] || fail "too few chart lines in the DOM"
expect_contains "$DOM" "http_429" "the 429 class is charted"
expect_contains "$DOM" "http_5xx" "the 5xx class is charted"
[ "$(grep -o '>FAIL<' "$TMP/dom.html" | wc -l)" -ge 2 ] || fail "the verdict table shows no FAIL row"
expect_contains "$DOM" ">PASS<" "the verdict table shows the passing row"
expect_contains "$DOM" "html &lt;b&gt;bold&lt;/b&gt; &amp;" "the hostile scenario name, escaped"
if grep -q '<b>bold</b>' "$TMP/dom.html"; then
    fail "the scenario name became markup"
fi
pass "DOM: 5 SVG charts, verdict table, escaped names"

