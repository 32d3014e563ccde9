#!/usr/bin/env bash
# Configures and builds corosim (Release, -j2) into ${BUILD_DIR:-build}. Safe to re-run.
# Extra arguments go to cmake's configure step, e.g. -DCOROSIM_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
werror=OFF
if [ "${CI:-}" = "true" ]; then werror=ON; fi
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" -DCOROSIM_WERROR="$werror" "$@" >/dev/null
cmake --build "$build_dir" -j2
