#!/usr/bin/env bash
# Long soaks outside the test budget, run by `soak run` against the embedded mock:
#   ci/soak.sh [SCENARIO [DURATION]] [extra soak run options]
# SCENARIO defaults to configs/oai-azure-release.yaml (the Observatory release test: one client reused for
# the whole run, models cycling, failure rate < 1%) and DURATION to 3h. `--duration D` and `--config FILE`
# are accepted too.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=3h
config=configs/oai-azure-release.yaml
extra=()
positional=0
while [[ $# -gt 0 ]]; do
    case "$1" in
    --duration) duration=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --set | --seed | --report-dir | --mock-provider | --fault-proxy) extra+=("$1" "$2"); shift 2 ;;
    -*) extra+=("$1"); shift ;;
    *)
        if [[ $positional -eq 0 ]]; then config=$1; else duration=$1; fi
        positional=$((positional + 1))
        shift
        ;;
    esac
done
ci/install-deps.sh
build=$(ci/build.sh release)
exec "$build/harness/soak" run --mock-provider "$build/mock-provider/mock-provider" \
    --fault-proxy "$build/faults/fault-proxy/fault-proxy" --duration "$duration" "${extra[@]}" "$config"
