#!/usr/bin/env bash
# The main job: the seed's 1K RPS load test, hermetic. Installs what is missing, builds, starts mock-provider
# from configs/1k-rps.yaml on a free port, runs soak against it (1,174 requests/s for 30 s with the seed
# locustfile's payload), prints the final table and verdict, stops the mock, and prints where the report is.
#   ci/main-job.sh [extra soak flags, e.g. --duration 10s]
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/lib.sh
trap sr_stop_all EXIT
ci/install-deps.sh
build=$(ci/build.sh release)
config=configs/1k-rps.yaml
log=$(mktemp -d "${TMPDIR:-/tmp}/soakrig-main.XXXXXX")

# Port 0: the kernel picks a free port and the mock prints it; soak gets that URL, not the file's 8080.
sr_start_mock "$log/mock.out" "$log/mock.err" "$build/mock-provider/mock-provider" --config "$config" \
    --set 'mock.deployments[fake-openai-endpoint].listen=127.0.0.1:0' || exit 1
echo "main job: mock-provider serving $MOCK_URL (log: $log/mock.err)" >&2
status=0
"$build/harness/soak" load --config "$config" --url "$MOCK_URL" "$@" || status=$?
sr_stop_all
exit "$status"
