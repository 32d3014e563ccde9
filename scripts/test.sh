#!/usr/bin/env bash
# The whole test suite: install what is missing, build (Release, -j2), run ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j2 --timeout 900
