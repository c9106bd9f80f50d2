#!/usr/bin/env bash
# Long soak outside the test budget: the Observatory release test (configs/oai-azure-release.yaml: one client
# reused for the whole run, models cycling, failure rate < 1%) run by `soak run` against the embedded mock.
#   ci/soak.sh [--duration 3h] [--config FILE] [extra soak run options]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=3h
config=configs/oai-azure-release.yaml
extra=()
while [[ $# -gt 0 ]]; do
    case "$1" in
    --duration) duration=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    *) extra+=("$1"); shift ;;
    esac
done
ci/install-deps.sh
build=$(ci/build.sh release)
exec "$build/harness/soak" run --mock-provider "$build/mock-provider/mock-provider" --duration "$duration" \
    "${extra[@]}" "$config"
