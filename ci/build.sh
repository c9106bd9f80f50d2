#!/usr/bin/env bash
# Configures and builds one CMake preset (default: release) and prints its build directory. The compiler's
# output goes to build/<preset>.log and is shown only when the build fails. Targets, if given, are built
# instead of everything (ci/test.sh builds only `tsan_suite` in the ThreadSanitizer tree).
#   ci/build.sh [debug|release|asan|tsan] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift $(($# > 0 ? 1 : 0))
targets=()
[ $# -gt 0 ] && targets=(--target "$@")
mkdir -p build
log="build/$preset.log"
if ! { cmake --preset "$preset" && cmake --build --preset "$preset" -j "$(nproc)" "${targets[@]}"; } >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "ci/build.sh: the $preset build failed (full log: $log)" >&2
    exit 1
fi
echo "build/$preset"
