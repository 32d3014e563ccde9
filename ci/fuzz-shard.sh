#!/usr/bin/env bash
# Runs shard INDEX of COUNT of the fuzz campaign: every shard of one campaign uses the same
# seed and --runs, so the shards together are exactly the unsharded campaign.
# usage: ci/fuzz-shard.sh INDEX COUNT OUTDIR [RUNS] [COROSIM]
# Environment: SEED, the campaign's first seed (default 1; every shard of a campaign must get
# the same one); CORPUS, a regression corpus directory (`fuzz --corpus`): its entries are
# re-run first (each by one shard) and the shard's new failures added to it.
# Writes a fresh OUTDIR/shard-INDEX.db (an older one is replaced) and OUTDIR/shard-INDEX.xml
# (JUnit), creating OUTDIR; both are written before the exit.
# Exit status: corosim's (0 all passed, 1 failures found, 2 bad input, 3 internal error).
set -euo pipefail
index=$1
count=$2
out=$3
runs=${4:-2000}
corosim=${5:-build/cli/corosim}
seed=${SEED:-1}
mkdir -p "$out"
rm -f "$out/shard-$index.db" "$out/shard-$index.db-wal" "$out/shard-$index.db-shm" "$out/shard-$index.xml"
corpus=()
if [ -n "${CORPUS:-}" ]; then corpus=(--corpus "$CORPUS"); fi
echo "fuzz-shard: shard $index/$count, seed $seed, $runs runs per scenario${CORPUS:+, corpus $CORPUS}" >&2
exec "$corosim" fuzz --all --runs "$runs" --seed "$seed" --shard "$index/$count" \
  --db "$out/shard-$index.db" --junit "$out/shard-$index.xml" "${corpus[@]}"
