#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the release build (unit, fuzz smoke, integration,
# --check on every config), then the ASan+UBSan build (unit, fuzz smoke, integration).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh

jobs=$(nproc)
for preset in release asan; do
    echo "== $preset: build" >&2
    ci/build.sh "$preset" >/dev/null
    echo "== $preset: test" >&2
    ctest --preset "$preset" -j "$jobs" --timeout 600
done
