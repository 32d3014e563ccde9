#!/usr/bin/env bash
# Installs the Debian 12 packages corosim needs, only those missing. Safe to re-run.
# usage: scripts/setup-deps.sh [--cli] [extra-package ...]
# --cli: only what building the corosim CLI needs (-DCOROSIM_TESTS=OFF -DCOROSIM_BENCH=OFF, as
# the Dockerfile builds it), not the test suite's, benchmarks' and docs' packages.
set -euo pipefail

packages=(cmake g++ make librapidcheck-dev libcli11-dev nlohmann-json3-dev libsqlite3-dev libpugixml-dev libboost-stacktrace-dev)
if [ "${1:-}" = --cli ]; then
  shift
else
  packages+=(python3 python3-yaml libgtest-dev libbenchmark-dev doxygen chromium)
fi
packages+=("$@")
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
  # Package lists may be stale or absent on a fresh machine.
  "${sudo[@]}" apt-get update -q >&2
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
