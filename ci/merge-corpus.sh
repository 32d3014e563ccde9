#!/usr/bin/env bash
# Unites regression corpora (`corosim fuzz --corpus`, docs/ci.md) into OUT, creating it: every
# DIR/*.repro not already in OUT is copied. An entry's file name is fixed by its scenario and
# failure signature, so the same failure found by two shards is one entry. A DIR that does not
# exist (a shard that kept none) is skipped.
# usage: ci/merge-corpus.sh OUT DIR...
set -euo pipefail
out=$1
shift
mkdir -p "$out"
for dir in "$@"; do
  [ -d "$dir" ] || continue
  for entry in "$dir"/*.repro; do
    [ -e "$entry" ] || continue
    [ -e "$out/$(basename "$entry")" ] || cp "$entry" "$out/"
  done
done
echo "merge-corpus: $(find "$out" -maxdepth 1 -name '*.repro' | wc -l) entries in $out"
