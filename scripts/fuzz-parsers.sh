#!/usr/bin/env bash
# Builds the parser fuzz targets with clang (libFuzzer + ASan + UBSan) into ${BUILD_DIR:-build-fuzz}
# and runs the fuzz.parsers ctest: every committed regression input, then each target for
# ${FUZZ_SECONDS:-3} seconds from its seed corpus (docs/fuzzing-the-parsers.md). Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh clang-14 libclang-rt-14-dev
build_dir=${BUILD_DIR:-build-fuzz}
werror=OFF
if [ "${CI:-}" = "true" ]; then werror=ON; fi
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOROSIM_FUZZ=ON \
  -DCOROSIM_TESTS=OFF -DCOROSIM_BENCH=OFF -DCOROSIM_WERROR="$werror" -DCOROSIM_FUZZ_SECONDS="${FUZZ_SECONDS:-3}" >/dev/null
# Only the targets: the CLI and the rest of the project are not needed to fuzz the parsers.
targets=$(sed -n 's/^set(COROSIM_FUZZ_TARGETS \(.*\))$/\1/p' tests/fuzz/CMakeLists.txt)
cmake --build "$build_dir" -j2 $(for t in $targets; do printf -- '--target fuzz_%s ' "$t"; done)
(cd "$build_dir" && ctest --output-on-failure -R '^fuzz\.' --timeout 900)
