#!/usr/bin/env bash
# Installs what is missing (every tool a test uses), builds, and runs every test: the release build (unit,
# fuzz smoke, the shipped scenarios, the timing and accuracy tests, --check on every config), the ASan+UBSan
# build (unit, fuzz smoke and every integration test but the scenarios and the accuracy checks), then the
# ThreadSanitizer build (the integration and unit tests whose threads race); the labels that choose are explained in
# tests/CMakeLists.txt. In the release tree timing-sensitive integration tests run one at a time (RUN_SERIAL), the
# others beside each other; sanitizer builds widen their timing tolerances through SOAK_TIME_SCALE and run two
# integration tests at a time. No test may skip.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh --test

jobs=$(nproc)
for preset in release asan tsan; do
    echo "== $preset: build" >&2
    # The ThreadSanitizer tree runs only the tests labelled `tsan`: it builds what they need (tsan_suite).
    if [ "$preset" = tsan ]; then ci/build.sh tsan tsan_suite >/dev/null; else ci/build.sh "$preset" >/dev/null; fi
    echo "== $preset: test" >&2
    ctest --preset "$preset" -j "$jobs" --timeout 900 --no-tests=error
done
