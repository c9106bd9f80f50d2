#!/usr/bin/env bash
# The main job: the seed's 1K RPS load test, hermetic. Installs what is missing, builds, and runs
# `soak run configs/1k-rps.yaml`: the mock on a free port, 1,174 requests/s for 30 s with the seed locustfile's
# payload, the final table and verdict, every process stopped, and where the report is.
#   ci/main-job.sh [extra soak run options, e.g. --duration 10s]
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
build=$(ci/build.sh release)
exec "$build/harness/soak" run --mock-provider "$build/mock-provider/mock-provider" "$@" configs/1k-rps.yaml
