#!/usr/bin/env bash
# Requests per second per core of CPU used: soak against Locust (Debian python3-locust, FastHttpUser, the seed
# locustfile's payload, no wait time), same mock-provider, each for --duration. Target: soak/locust >= 5.
#   bench/soak_vs_locust.sh [--duration 20s] [--users 64]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
duration=20
users=64
while [[ $# -gt 0 ]]; do
    case "$1" in
    --duration) duration=${2%s}; shift 2 ;;
    --users) users=$2; shift 2 ;;
    *) echo "usage: $0 [--duration 20s] [--users 64]" >&2; exit 2 ;;
    esac
done
bench_setup
hz=$(getconf CLK_TCK)

bench_start_mock "$work/mock.log" taskset -c 1 "$build/mock-provider/mock-provider" --threads 1 \
    --listen 127.0.0.1:0 --ttft 0ms --itl 0ms --output-tokens 16 --log-level warn
cat >"$work/locustfile.py" <<'PY'
import uuid
import locust.runners
from locust import task, constant
from locust.contrib.fasthttp import FastHttpUser
locust.runners.__version__ = "2.12.1"

class SeedUser(FastHttpUser):
    wait_time = constant(0)

    @task(100)
    def litellm_completion(self):
        payload = {
            "model": "fake-openai-endpoint",
            "messages": [{"role": "user", "content": f"{uuid.uuid4()} This is a test there will be no cache hits and we'll fill up the context" * 150}],
            "user": "my-new-end-user-1",
        }
        self.client.post("chat/completions", json=payload, headers={"Authorization": "Bearer sk-1234"})
PY
# Locust: one process, headless, CSV stats; CPU from /proc of the process.
taskset -c 0 locust -f "$work/locustfile.py" --headless -u "$users" -r "$users" -t "${duration}s" \
    --host "$MOCK_URL/" --csv "$work/locust" --only-summary >"$work/locust.log" 2>&1 &
lp=$!
sr_track "$lp"
sleep $((duration - 2))
lt=$(bench_cpu_ticks "$lp")
wait "$lp" || true
lreq=$(python3 -c 'import csv,sys
rows=[r for r in csv.DictReader(open(sys.argv[1])) if r["Name"]=="Aggregated"]
print(rows[0]["Requests/s"])' "$work/locust_stats.csv")
lcpu=$(awk -v t="$lt" -v hz="$hz" -v d="$duration" 'BEGIN {printf "%.3f", t / hz / (d - 2)}')

taskset -c 0 "$build/harness/soak" load --url "$MOCK_URL" --api openai.chat --model fake-openai-endpoint \
    --prompt "{{uuid}} This is a test there will be no cache hits and we'll fill up the context" --repeat 150 \
    --api-key sk-1234 --users "$users" --think 0s --spawn 100000/s --duration "${duration}s" --threads 1 \
    --json "$work/soak.json" --quiet >/dev/null &
sp=$!
sr_track "$sp"
sleep $((duration - 2))
st=$(bench_cpu_ticks "$sp")
wait "$sp" || true
sreq=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rate"]["achieved"])' "$work/soak.json")
scpu=$(awk -v t="$st" -v hz="$hz" -v d="$duration" 'BEGIN {printf "%.3f", t / hz / (d - 2)}')

lper=$(awk -v r="$lreq" -v c="$lcpu" 'BEGIN {printf "%.0f", r / c}')
sper=$(awk -v r="$sreq" -v c="$scpu" 'BEGIN {printf "%.0f", r / c}')
echo "soak_vs_locust: seed payload (~12 KB), $users users, no wait, ${duration}s, both on CPU 0, mock on CPU 1, $(date -u +%F)"
printf 'locust %.0f rps on %.2f cores = %s rps/core   soak %.0f rps on %.2f cores = %s rps/core   ratio %s\n' \
    "$lreq" "$lcpu" "$lper" "$sreq" "$scpu" "$sper" "$(bench_ratio "$sper" "$lper")"
