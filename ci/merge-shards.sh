#!/usr/bin/env bash
# Merges shard stores into one and writes the Markdown report next to it.
# usage: ci/merge-shards.sh OUT.db SHARD.db... (COROSIM=path overrides build/cli/corosim)
set -euo pipefail
corosim=${COROSIM:-build/cli/corosim}
out=$1
shift
"$corosim" merge "$out" "$@"
"$corosim" report --db "$out" --out "${out%.db}.md"
