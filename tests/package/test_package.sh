#!/usr/bin/env bash
# Installs this build into a temporary prefix, builds examples/user_project against it with
# find_package(corosim), and runs the user's CLI and tests.
# usage: test_package.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cmake -S "$src/examples/user_project" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$tmp/build" -j2 >/dev/null
# Outputs are captured first: `cmd | grep -q` can kill cmd with SIGPIPE under pipefail.
listing=$("$tmp/build/bank_sim" list)
grep -q '^bank_transfers .*example' <<<"$listing"
grep -q '^ping_pong' <<<"$listing"
trace=$("$tmp/build/bank_sim" run bank_transfers --policy random --seed 3 --trace 2>/dev/null)
grep -q 'balances a=85 b=115' <<<"$trace"
"$tmp/build/bank_sim" fuzz --scenario bank_transfers --runs 100 --db "$tmp/bank.db" >/dev/null 2>&1
replayed=$("$tmp/build/bank_sim" replay --db "$tmp/bank.db" --run 7)
grep -q '^reproduced' <<<"$replayed"
# The user's planted bug: fuzz exits 1, and the printed repro line, pasted into a shell, names
# the user's binary and reproduces the same failure without the store.
rc=0
found=$(NO_COLOR=1 "$tmp/build/bank_sim" fuzz --scenario bank_unlocked --runs 60 --db "$tmp/bug.db" 2>/dev/null) || rc=$?
[ "$rc" -eq 1 ]
grep -q '^FAIL bank_unlocked: fail: check failed: money is conserved' <<<"$found"
repro=$(sed -n 's/^  shrunk ([0-9]* -> [0-9]* non-FIFO choices): //p' <<<"$found" | head -1)
[[ "$repro" == "$tmp/build/bank_sim run bank_unlocked "* ]]
rc=0
again=$(bash -c "$repro" 2>&1) || rc=$?
[ "$rc" -eq 1 ]
grep -q 'check failed: money is conserved' <<<"$again"
installed=$("$tmp/prefix/bin/corosim" list)
grep -q '^racy_counter' <<<"$installed"
"$tmp/build/bank_tests" >/dev/null
echo "package: installed, example built with find_package(corosim), its CLI, repro lines and tests pass"
