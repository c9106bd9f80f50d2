#!/usr/bin/env bash
# The mock's memory after a burst of connections and requests (issue 7's pool-sizing rule, applied to the
# mock): after each burst, once its connections have closed, RSS returns within 2 MB of its level before.
# One mock with two worker threads serves a streaming deployment (a few hundred milliseconds per answer, so
# that the burst's requests are all in flight together). A warm-up gives the threads their steady working
# set; then --bursts times: RSS before (idle), a burst of --conns HTTP/1.1 connections and as many h2c
# streams (h2load, each connection sending --per requests with 4 KiB bodies), RSS sampled every 100 ms
# (the peak), then RSS --settle after the burst ended. Prints "before peak after (after - before)" in KiB
# per burst and exits 1 when an `after` is more than 2048 KiB above its `before`.
#   bench/mock_memory.sh [--bursts 3] [--conns 1000] [--per 4] [--settle 3s]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bursts=3
conns=1000
per=4
settle=3
while [[ $# -gt 0 ]]; do
    case "$1" in
    --bursts) bursts=$2; shift 2 ;;
    --conns) conns=$2; shift 2 ;;
    --per) per=$2; shift 2 ;;
    --settle) settle=${2%s}; shift 2 ;;
    *) echo "usage: $0 [--bursts 3] [--conns 1000] [--per 4] [--settle 3s]" >&2; exit 2 ;;
    esac
done
bench_setup
[[ $(ulimit -n) -ge $((conns + 64)) ]] || ulimit -n $((conns * 2 + 64))

cat >"$work/mock.yaml" <<'YAML'
mock:
  threads: 2
  deployments:
    - {name: m, latency: {ttft: 200ms, itl: 5ms}, output_tokens: fixed(32)}
YAML
bench_start_mock "$work/mock.log" "$build/mock-provider/mock-provider" --config "$work/mock.yaml" --log-level warn
url=$(sr_mock_url "$work/mock.log" m)/chat/completions
python3 - "$work/body.json" <<'PY'
import json, sys
text = "lorem ipsum dolor sit amet " * 150  # about 4 KiB
json.dump({"model": "gpt-4o-mini", "stream": True, "messages": [{"role": "user", "content": text}]},
          open(sys.argv[1], "w"))
PY
load() { # CONNS REQUESTS [h2load args]: one h2load run, bounded in time; fails the bench on errors
    local c=$1 n=$2 out
    shift 2
    out=$(timeout 120 h2load -c "$c" -n "$n" -t 2 -d "$work/body.json" -H 'content-type: application/json' "$@" \
        "$url") || { echo "bench/mock_memory.sh: h2load failed: $out" >&2; exit 1; }
    grep -q " $n succeeded, 0 failed" <<<"$out" || { echo "bench/mock_memory.sh: $(grep '^requests:' <<<"$out")" >&2; exit 1; }
}
idle_rss() { # the median of five samples a tenth of a second apart
    local s=()
    for _ in 1 2 3 4 5; do
        s+=("$(bench_rss_kb "$MOCK_PID")")
        sleep 0.1
    done
    bench_median "${s[@]}"
}

load 64 1600 --h1
load 64 1600 -m 4
sleep 1
status=0
printf '%-6s %10s %10s %10s %10s\n' burst before_kB peak_kB after_kB delta_kB
for b in $(seq 1 "$bursts"); do
    before=$(idle_rss)
    peak=$before
    (load "$conns" $((conns * per)) --h1 && load "$conns" $((conns * per)) -m 4) &
    loader=$!
    sr_track "$loader"
    while kill -0 "$loader" 2>/dev/null; do
        r=$(bench_rss_kb "$MOCK_PID")
        ((r > peak)) && peak=$r
        sleep 0.1
    done
    wait "$loader" || { echo "bench/mock_memory.sh: burst $b failed" >&2; exit 1; }
    sleep "$settle"
    after=$(idle_rss)
    delta=$((after - before))
    printf '%-6s %10s %10s %10s %10s\n' "$b" "$before" "$peak" "$after" "$delta"
    ((delta <= 2048)) || status=1
done
[[ $status -eq 0 ]] && echo "target met: RSS returns within 2048 KiB after every burst" ||
    echo "target missed: RSS stays more than 2048 KiB above its level before a burst" >&2
exit "$status"
