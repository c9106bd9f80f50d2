#!/usr/bin/env bash
# Long soak outside the test budget: the Observatory release test (configs/oai-azure-release.yaml: one client
# reused for the whole run, models cycling, failure rate < 1%) against the embedded mock.
#   ci/soak.sh [--duration 3h] [--config FILE] [extra soak flags]
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/lib.sh
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

ci_start_mock "$build/mock-provider/mock-provider" "$config"
status=0
"$build/harness/soak" load --config "$config" --url "$MOCK_URL" --duration "$duration" "${extra[@]}" || status=$?
exit "$status"
