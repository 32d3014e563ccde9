#!/usr/bin/env bash
# Same scenario, params, policy and seed must give the same trace hash across runs, compilers
# (gcc, clang) and optimisation levels (-O2, -O0). Builds clang -O0 and clang -O2 trees next to
# the Release one and compares `corosim run --json` hashes for every scenario x seeds x policies
# (jitter and buggify included).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh clang
scripts/build.sh
CXX=clang++ BUILD_DIR=build-clang-O0 BUILD_TYPE=Debug scripts/build.sh -DCOROSIM_TESTS=OFF -DCOROSIM_BENCH=OFF
CXX=clang++ BUILD_DIR=build-clang-O2 BUILD_TYPE=Release scripts/build.sh -DCOROSIM_TESTS=OFF -DCOROSIM_BENCH=OFF
python3 - build/cli/corosim build-clang-O0/cli/corosim build-clang-O2/cli/corosim <<'PY'
import json, subprocess, sys
gcc, clang, clang2 = sys.argv[1], sys.argv[2], sys.argv[3]
# Planted bugs fail by design (one aborts); they are checked by tests/checker/test_fuzz_cli.py.
names = [s["name"] for s in json.loads(subprocess.check_output([gcc, "list", "--json"])) if not s["planted"]]
def h(binary, name, policy, seed):
    out = subprocess.run([binary, "run", name, "--policy", policy, "--seed", str(seed), "--json"],
                         capture_output=True, text=True)
    return json.loads(out.stdout)["trace_hash"]
checked = bad = 0
for name in names:
    # Jitter and fault points are recorded choices too; fewer seeds keep the check's time.
    for policy, seeds in (("fifo", 50), ("random", 50), ("pct:3", 50), ("random+jitter+buggify", 15)):
        for seed in range(seeds):
            a, b = h(gcc, name, policy, seed), h(gcc, name, policy, seed)
            c, d = h(clang, name, policy, seed), h(clang2, name, policy, seed)
            checked += 1
            if not (a == b == c == d):
                bad += 1
                print("MISMATCH %s %s seed=%d: gcc-O2 %s / %s, clang-O0 %s, clang-O2 %s" % (name, policy, seed, a, b, c, d))
print("determinism: %d runs compared (gcc -O2 twice, clang -O0, clang -O2), %d mismatches" % (checked, bad))
sys.exit(1 if bad else 0)
PY
