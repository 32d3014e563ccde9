#!/usr/bin/env bash
# Runs shard INDEX of COUNT of the fuzz campaign: every shard of one campaign uses the same
# --seed and --runs, so the shards together are exactly the unsharded campaign.
# usage: ci/fuzz-shard.sh INDEX COUNT OUTDIR [RUNS] [COROSIM]
# Exit status: corosim's (0 all passed, 1 failures found, 2 bad input, 3 internal error).
set -euo pipefail
index=$1
count=$2
out=$3
runs=${4:-2000}
corosim=${5:-build/cli/corosim}
mkdir -p "$out"
exec "$corosim" fuzz --all --runs "$runs" --seed 1 --shard "$index/$count" \
  --db "$out/shard-$index.db" --junit "$out/shard-$index.xml"
