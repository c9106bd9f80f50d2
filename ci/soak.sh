#!/usr/bin/env bash
# Long soak outside the test budget: the Observatory release test (configs/oai-azure-release.yaml: one client
# reused for the whole run, models cycling, failure rate < 1%) against the embedded mock.
#   ci/soak.sh [--duration 3h] [--config FILE] [extra soak flags]
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/lib.sh
trap sr_stop_all EXIT
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

log=$(mktemp -d "${TMPDIR:-/tmp}/soakrig-soak.XXXXXX")
# The first deployment moves to a free port and soak is pointed at it (not at the file's load.target).
sr_start_mock "$log/mock.out" "$log/mock.err" "$build/mock-provider/mock-provider" --config "$config" \
    --set 'mock.deployments[0].listen=127.0.0.1:0' || exit 1
echo "soak: mock-provider serving $MOCK_URL (log: $log/mock.err)" >&2
status=0
"$build/harness/soak" load --config "$config" --url "$MOCK_URL" --duration "$duration" "${extra[@]}" || status=$?
exit "$status"
