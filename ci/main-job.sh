#!/usr/bin/env bash
# The main job: the seed's 1K RPS load test, hermetic. Installs what is missing, builds, starts mock-provider
# from configs/1k-rps.yaml, runs soak against it (1,174 requests/s for 30 s with the seed locustfile's payload),
# prints the final table and verdict, stops the mock, and prints where the report is.
#   ci/main-job.sh [extra soak flags, e.g. --duration 10s]
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/lib.sh
ci/install-deps.sh
build=$(ci/build.sh release)
config=configs/1k-rps.yaml

ci_start_mock "$build/mock-provider/mock-provider" "$config"
status=0
"$build/harness/soak" load --config "$config" --url "$MOCK_URL" "$@" || status=$?
exit "$status"
