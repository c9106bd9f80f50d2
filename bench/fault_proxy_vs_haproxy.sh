#!/usr/bin/env bash
# fault-proxy's passthrough (no toxics) against haproxy in TCP mode, both in front of the same redis-server:
#   pipelined: redis-benchmark -P 16 -c 50 (SET and GET), requests/s through each;
#   bulk:      redis-benchmark GET of a 1 MiB value, -c 4, MB/s through each;
#   latency:   redis-benchmark -c 1 PING (no pipelining), p99 through each minus p99 direct;
#   CPU:       the proxy's own CPU seconds (user + system) for that whole round's work, the same for both
#              proxies: a figure that moves less than the rates when other work shares the machine.
# The proxies run on CPU 1 (haproxy with one thread, fault-proxy has one loop); redis-server and
# redis-benchmark on CPU 0. All traffic on 127.0.0.1. Prints medians of the rounds and the ratios; the machine
# is shared, so compare ratios from one run, not figures across runs. --latency-only runs the PING test alone
# (50,000 PINGs per target and round): the added p99 is tens of microseconds, which the other tests' load and any
# other work on the machine drown, so measure it on a machine otherwise idle.
#   bench/fault_proxy_vs_haproxy.sh [--rounds 3] [--requests 200000] [--latency-only]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
rounds=3
requests=200000
latency_only=0
while [[ $# -gt 0 ]]; do
    case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --latency-only) latency_only=1; shift ;;
    *) echo "usage: $0 [--rounds 3] [--requests 200000] [--latency-only]" >&2; exit 2 ;;
    esac
done
bench_setup

redis_port=$(sr_free_port)
taskset -c 0 redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
    >"$work/redis.log" 2>&1 &
sr_track $!
sr_wait_port "$redis_port" 10

fp_port=$(sr_free_port)
printf 'proxies:\n  - {name: redis, listen: "127.0.0.1:%s", upstream: "127.0.0.1:%s"}\n' "$fp_port" "$redis_port" \
    >"$work/fp.yaml"
taskset -c 1 "$build/faults/fault-proxy/fault-proxy" --config "$work/fp.yaml" --no-api --log-level warn \
    >"$work/fp.log" 2>&1 &
fp_pid=$!
sr_track $fp_pid
sr_wait_port "$fp_port" 10

ha_port=$(sr_free_port)
cat >"$work/haproxy.cfg" <<CONF
global
    nbthread 1
    maxconn 4000
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
listen redis
    bind 127.0.0.1:$ha_port
    server redis 127.0.0.1:$redis_port
CONF
taskset -c 1 haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
ha_pid=$!
sr_track $ha_pid
sr_wait_port "$ha_port" 10

# csv_field CSV TEST COLUMN: a column (2 rps, 7 p99 ms) of a test's row in redis-benchmark --csv output.
csv_field() { awk -F'"' -v t="$2" -v c="$3" '$2 == t {print $(2 * c)}' <<<"$1"; }

bench() { # port pid: prints "set_rps get_rps bulk_mbs p99_ms cpu_s" (cpu_s: the proxy's, 0 without one)
    local port=$1 pid=$2 out='' bulk='' p99 t0=0 t1=0
    [[ $pid -gt 0 ]] && t0=$(bench_cpu_ticks "$pid")
    if [[ $latency_only == 0 ]]; then
        out=$(taskset -c 0 redis-benchmark -p "$port" -n "$requests" -c 50 -P 16 -t set,get --csv)
        # The pipelined SET wrote a 3-byte value: write 1 MiB under the same key for the bulk GETs.
        taskset -c 0 redis-benchmark -p "$port" -n 1 -c 1 -d 1048576 -t set -q >/dev/null
        bulk=$(taskset -c 0 redis-benchmark -p "$port" -n 400 -c 4 -d 1048576 -t get --csv)
        p99=$(taskset -c 0 redis-benchmark -p "$port" -n 20000 -c 1 -t ping --csv --precision 3)
    else
        p99=$(taskset -c 0 redis-benchmark -p "$port" -n 50000 -c 1 -t ping --csv --precision 3)
    fi
    [[ $pid -gt 0 ]] && t1=$(bench_cpu_ticks "$pid")
    local rates='0 0 0' # not measured with --latency-only
    [[ $latency_only == 1 ]] || rates="$(csv_field "$out" SET 2) $(csv_field "$out" GET 2) $(awk \
        -v r="$(csv_field "$bulk" GET 2)" 'BEGIN {printf "%.1f", r * 1.048576}')"
    echo "$rates $(csv_field "$p99" PING_INLINE 7)" \
        "$(awk -v a="$t0" -v b="$t1" -v k="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", (b - a) / k}')"
}

# Rounds interleave the targets, so that a change in the machine's other load hits all three alike.
declare -A col
for r in $(seq 1 "$rounds"); do
    for target in direct fault-proxy haproxy; do
        case $target in
        direct) port=$redis_port pid=0 ;;
        fault-proxy) port=$fp_port pid=$fp_pid ;;
        haproxy) port=$ha_port pid=$ha_pid ;;
        esac
        read -r set get bulk p99 cpu < <(bench "$port" "$pid")
        col[$target.set]+="$set " col[$target.get]+="$get " col[$target.bulk]+="$bulk " col[$target.p99]+="$p99 "
        col[$target.cpu]+="$cpu "
        echo "round $r $target: SET $set rps, GET $get rps (-P 16), bulk $bulk MB/s, PING p99 $p99 ms," \
            "proxy CPU $cpu s" >&2
    done
done

med() { bench_median ${col[$1]}; }
printf '%-12s %12s %12s %12s %12s %12s\n' target "SET rps" "GET rps" "bulk MB/s" "p99 ms" "proxy CPU s"
for target in direct fault-proxy haproxy; do
    printf '%-12s %12s %12s %12s %12s %12s\n' "$target" "$(med "$target.set")" "$(med "$target.get")" \
        "$(med "$target.bulk")" "$(med "$target.p99")" "$(med "$target.cpu")"
done
[[ $latency_only == 1 ]] || echo "fault-proxy/haproxy: SET $(bench_ratio "$(med fault-proxy.set)" "$(med haproxy.set)")," \
    "GET $(bench_ratio "$(med fault-proxy.get)" "$(med haproxy.get)")," \
    "bulk $(bench_ratio "$(med fault-proxy.bulk)" "$(med haproxy.bulk)") (target >= 0.8);" \
    "CPU for the same work: $(bench_ratio "$(med fault-proxy.cpu)" "$(med haproxy.cpu)")x haproxy's"
echo "added p99 (PING, -c 1): fault-proxy $(awk -v a="$(med fault-proxy.p99)" -v b="$(med direct.p99)" \
    'BEGIN {printf "%.0f us", (a - b) * 1000}'), haproxy $(awk -v a="$(med haproxy.p99)" -v b="$(med direct.p99)" \
    'BEGIN {printf "%.0f us", (a - b) * 1000}') (target < 100 us)"
