#!/usr/bin/env bash
# Merges shard stores into a fresh OUT.db (an older one is replaced; its directory is created)
# and writes its reports next to it: Markdown (a CI job summary, also printed), JUnit XML (one
# testcase per scenario and failure signature) and the self-contained HTML page.
# usage: ci/merge-shards.sh OUT.db SHARD.db... (COROSIM=path overrides build/cli/corosim)
# Exit status: 0 every run passed, 1 the campaign found failures (after every report is
# written), 2 bad input (a shard store missing or not a store), 3 internal error.
set -euo pipefail
corosim=${COROSIM:-build/cli/corosim}
out=$1
shift
base=${out%.db}
mkdir -p "$(dirname "$out")"
rm -f "$out" "$out-wal" "$out-shm" "$base.md" "$base.xml" "$base.html"
"$corosim" merge "$out" "$@"
"$corosim" report --db "$out" --format junit --out "$base.xml"
"$corosim" report --db "$out" --format html --out "$base.html"
"$corosim" report --db "$out" --out "$base.md"
cat "$base.md"
# Last, so every report exists whichever way the campaign went.
exec "$corosim" report --db "$out" --fail-on-failures >/dev/null
