#!/usr/bin/env bash
# tests/integration/soak_selfcheck_test.sh — the client's self-check: a run the harness can hold reports its
# pacer lag (run, phases, JSONL) and warns exactly when those figures call for it; one engine thread asked for
# far more than it can send falls behind its schedule, and every report says the numbers are the client's
# (table, stderr, JSON, JUnit).
source "$(dirname "$0")/soak_lib.sh"

start_mock "
mock:
  threads: 1
  deployments:
    - name: fast
      latency: {ttft: 5ms}
      output_tokens: fixed(2)
"
FAST=$(url_of fast)

# ---- a run the harness holds: figures, and warnings exactly when its own figures call for them ----
# At 20/s soak keeps its schedule on a quiet machine, but a machine busy with other work can delay even that,
# and then the warning is right. So the run is judged on its consistency, once: it warns if and only if its
# pacer lag p99 is over 10 ms or a thread was saturated, and says so in every report alike.
run_soak load --url "$FAST" --rate 20/s --duration 3s --warmup 1s --json "$TMP/ok.json" --jsonl "$TMP/ok.jsonl" \
    --junit "$TMP/ok.xml"
expect_eq "$RC" "0" "exit status of a normal run"
DUE=$(jq_py "$TMP/ok.json" 'j["client"]["pacer_lag_ms"]["p99"] > 10 or j["client"]["cpu"]["saturated"] > 0')
WARNED=False
[[ "$(cat "$TMP/soak.err")" == *"soak: warning:"* ]] && WARNED=True
expect_eq "$WARNED" "$DUE" "stderr warns exactly when the figures call for it ($(jq_py "$TMP/ok.json" 'j["client"]'))"
expect_eq "$(jq_py "$TMP/ok.json" 'len(j["client"]["warnings"]) > 0')" "$DUE" "JSON warnings likewise"
[[ "$(cat "$TMP/soak.out")" == *"WARNING"* ]] && TABLE=True || TABLE=False
expect_eq "$TABLE" "$DUE" "the table's warning likewise"
[[ "$DUE" == True ]] && echo "the machine delayed soak at 20/s: the warning was due and given"
expect_contains "$(cat "$TMP/soak.out")" "Client     pacer lag p50" "the table's Client section"
expect_eq "$(jq_py "$TMP/ok.json" 'j["client"]["late_threshold_ms"]')" "1.0" "late threshold"
expect_eq "$(jq_py "$TMP/ok.json" 'j["client"]["pacer_lag_ms"]["count"] == j["requests"]["sent"]')" "True" \
    "one pacer lag per request sent"
expect_eq "$(jq_py "$TMP/ok.json" '[p["pacer_lag_ms"]["p99"] is not None for p in j["phases"]]')" "[True, True]" \
    "pacer lag per phase"
expect_eq "$(jq_py "$TMP/ok.json" 'j["client"]["cpu"]["samples"] >= 2')" "True" "CPU samples (one per thread-interval)"
expect_eq "$(python3 -c "import json,sys; print(all('pacer_lag_ms' in json.loads(l) for l in open(sys.argv[1])))" \
    "$TMP/ok.jsonl")" "True" "pacer lag in every JSONL interval"
expect_contains "$(cat "$TMP/ok.xml")" "<property name=\"client.warnings\" value=\"$(jq_py "$TMP/ok.json" 'len(j["client"]["warnings"])')\"/>" \
    "JUnit property"
pass "normal run: lag p99 $(jq_py "$TMP/ok.json" 'j["client"]["pacer_lag_ms"]["p99"]') ms, warned: $WARNED"

# ---- one engine thread asked for 100,000/s: it falls behind, and says so ----
# Far more than one thread sends anywhere: on a fast VM one release thread kept 20,000/s with lag p99 7 ms
# (57% busy), under the warning's 10 ms. A sanitizer build divides the rate by its time scale, as below.
run_soak load --url "$FAST" --rate "$((100000 / SOAK_TIME_SCALE))/s" --threads 1 --duration 2s --drain 2s \
    --json "$TMP/starved.json" --junit "$TMP/starved.xml"
expect_contains "$(cat "$TMP/soak.err")" "soak: warning: soak's pacer fell behind its schedule" "stderr warning"
expect_contains "$(cat "$TMP/soak.out")" "WARNING    soak's pacer fell behind" "table warning"
expect_eq "$(jq_py "$TMP/starved.json" 'any("pacer fell behind" in w for w in j["client"]["warnings"])')" "True" \
    "JSON warning"
expect_eq "$(jq_py "$TMP/starved.json" 'j["client"]["pacer_lag_ms"]["p99"] > 10')" "True" "lag p99 above 10 ms"
expect_eq "$(jq_py "$TMP/starved.json" 'j["client"]["late"] > 0')" "True" "late sends counted"
[[ "$(cat "$TMP/starved.xml")" != *'name="client.warnings" value="0"'* ]] || fail "JUnit shows no warning"
# The arrivals still owed at the planned end (tens of thousands at 50,000/s) go out a batch per loop pass,
# late and timed from their plan, with the answers served in between: not all at once into the in-flight cap,
# which drops all but the cap's worth of them (measured before the fix: 54,512 of 100,000 at a 2,000 cap, and
# the thread held for seconds). Batched, none is dropped while the mock answers as fast as soak sends; on a busy machine the
# mock falls behind and the difference stays in flight up to the cap: measured 10,851 of 100,000 dropped (10.9%)
# with another test suite running beside this one, so the bound is a quarter. Every planned arrival is
# accounted for (sent or dropped, each sent one answered or aborted), never skipped. A sanitizer build sends and
# answers several times more slowly: there the rate is divided by SOAK_TIME_SCALE (still over ten thousand owed
# at the end), with the in-flight cap and the drain scaled.
RATE=$((50000 / SOAK_TIME_SCALE))
run_soak load --url "$FAST" --rate "$RATE/s" --threads 1 --duration 2s --drain "$(scaled 5)s" \
    --max-inflight "$((5000 * SOAK_TIME_SCALE))" --json "$TMP/owed.json"
read -r SENT DROPPED OK ABORTED <<<"$(jq_py "$TMP/owed.json" '" ".join(str(j["requests"][k]) for k in ("sent", "dropped", "ok", "aborted"))')"
expect_eq "$((SENT + DROPPED)) $((OK + ABORTED))" "$((RATE * 2)) $SENT" \
    "every planned arrival sent or dropped, every sent one answered or aborted"
fcmp "$DROPPED <= $RATE * 2 / 4" || fail "$DROPPED of $((RATE * 2)) owed arrivals dropped at the end (all at once?)"
echo "owed: $RATE/s for 2 s, $(jq_py "$TMP/owed.json" 'j["requests"]["late"]') sends late, $DROPPED dropped, at most" \
    "$(jq_py "$TMP/owed.json" 'j["requests"]["inflight_max"]') in flight"
# Whether the CPU warning shows too depends on the thread getting a core to itself (CPU time does not count
# time spent waiting for one): said, not judged.
echo "starved: busiest thread $(jq_py "$TMP/starved.json" 'j["client"]["cpu"]["busy_max"]'), lag p99" \
    "$(jq_py "$TMP/starved.json" 'j["client"]["pacer_lag_ms"]["p99"]') ms"
pass "starved run: warned"
