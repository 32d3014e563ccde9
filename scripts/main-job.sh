#!/usr/bin/env bash
# The main job: install what is missing, build, fuzz every built-in scenario into a fresh
# SQLite store (events recorded for every run, so each one replays), write the Markdown report.
# usage: scripts/main-job.sh [runs-per-scenario]   (default 50). Output in out/.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}
scripts/setup-deps.sh
scripts/build.sh
mkdir -p out
rm -f out/corosim.db out/corosim.db-wal out/corosim.db-shm
status=0
build/cli/corosim fuzz --all --runs "$runs" --db out/corosim.db --record all > out/fuzz.txt || status=$?
build/cli/corosim report --db out/corosim.db --out out/report.md > /dev/null
cat out/report.md
echo
echo "store:  $(pwd)/out/corosim.db"
echo "report: $(pwd)/out/report.md"
exit "$status"
