# tests/integration/soak_lib.sh — helpers for the soak_*_test.sh scripts (sourced, not a test), on top of
# lib.sh (processes, assertions, start_mock, url_of): runs the real soak ($SOAK) against the real mock.

SOAK=${SOAK:?set SOAK to the soak binary}
ITEST_NAME=soak_itest
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# jq_py FILE EXPR: evaluates a python expression on the JSON document in FILE (bound to j)
jq_py() {
    python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"
}

# reports_valid FILE...: "ok" when every report parses strictly by its extension (.json and each line of .jsonl as
# UTF-8 JSON, .xml as XML 1.0, .html as UTF-8 without a <script>), else what is wrong first
reports_valid() {
    python3 - "$@" <<'PY'
import json, sys, xml.dom.minidom
for p in sys.argv[1:]:
    try:
        raw = open(p, "rb").read()
        text = raw.decode("utf-8")
        if p.endswith(".jsonl"):
            for line in text.splitlines():
                json.loads(line)
        elif p.endswith(".json"):
            json.loads(text)
        elif p.endswith(".xml"):
            xml.dom.minidom.parseString(raw)
        elif "<script" in text.lower() or not text.rstrip().endswith("</html>"):
            raise ValueError("a <script> or no </html>")
    except Exception as e:
        print("%s: %s" % (p, e))
        sys.exit(0)
print("ok")
PY
}

# mock_requests NAME: the sum of mock_requests_total over every series of deployment NAME
mock_requests() {
    local u
    u=$(url_of "$1")
    curl -s "${u%/v1}/metrics" | awk -v d="deployment=\"$1\"" \
        '/^mock_requests_total\{/ && index($0, d) { s += $NF } END { printf "%d\n", s }'
}

# run_soak ARGS...: runs soak in the foreground with stdout/stderr in $TMP; sets RC.
run_soak() {
    "$SOAK" "$@" >"$TMP/soak.out" 2>"$TMP/soak.err"
    RC=$?
}

# start_capacity_mock SLOTS LATENCY: a mock of known capacity for soak find and soak sweep (deployment "cap"): at
# most SLOTS requests served at once, each in exactly LATENCY, the rest queued. One user gets 1 / LATENCY; the most
# it serves is SLOTS / LATENCY; constant arrivals below that never queue, above it the queue grows without bound.
start_capacity_mock() {
    start_mock "
mock:
  threads: 1
  deployments:
    - name: cap
      limits: {concurrency: $1, queue: 10000}
      latency: {ttft: $2, itl: 0ms}
      output_tokens: fixed(1)
"
}
