#!/usr/bin/env bash
# Merges shard stores into one and writes its reports next to it: Markdown (a CI job summary),
# JUnit XML (one testcase per scenario and failure signature) and the self-contained HTML page.
# usage: ci/merge-shards.sh OUT.db SHARD.db... (COROSIM=path overrides build/cli/corosim)
set -euo pipefail
corosim=${COROSIM:-build/cli/corosim}
out=$1
shift
"$corosim" merge "$out" "$@"
"$corosim" report --db "$out" --out "${out%.db}.md"
"$corosim" report --db "$out" --format junit --out "${out%.db}.xml"
"$corosim" report --db "$out" --format html --out "${out%.db}.html"
