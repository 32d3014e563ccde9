"""The CI configurations in docs/ci.md, tested as far as this machine allows: the GitHub Actions
workflow parses and wires shards as documented, and the shard and merge scripts it calls, run
here for 2 shards, give exactly the unsharded campaign. (The Kubernetes campaign: test_k8s.py;
the Dockerfile: test_ci_image.py.)

usage: test_ci_configs.py SOURCE_DIR PATH/TO/corosim
"""
import os
import sqlite3
import subprocess
import sys
import tempfile

import yaml

src, corosim = sys.argv[1], sys.argv[2]
failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


with open(os.path.join(src, ".github/workflows/fuzz.yml")) as f:
    wf = yaml.safe_load(f)
shard = wf["jobs"]["shard"]
matrix = shard["strategy"]["matrix"]["shard"]
fuzz_step = next(s for s in shard["steps"] if "fuzz-shard.sh" in s.get("run", ""))
expect(matrix == list(range(len(matrix))), "matrix shards are 0..N-1: %s" % matrix)
expect(" %d " % len(matrix) in fuzz_step["run"], "the fuzz step's shard count equals the matrix size")
expect(wf["jobs"]["merge"]["needs"] == "shard", "merge waits for every shard")
expect(any("merge-shards.sh" in s.get("run", "") for s in wf["jobs"]["merge"]["steps"]), "merge job merges")

with tempfile.TemporaryDirectory() as tmp:
    env = dict(os.environ, COROSIM=corosim)
    for i in range(2):
        p = subprocess.run([os.path.join(src, "ci/fuzz-shard.sh"), str(i), "2", tmp, "40", corosim],
                           capture_output=True, text=True)
        expect(p.returncode == 0, "shard %d passes: %s" % (i, p.stderr[-300:]))
    p = subprocess.run([os.path.join(src, "ci/merge-shards.sh"), os.path.join(tmp, "campaign.db"),
                        os.path.join(tmp, "shard-0.db"), os.path.join(tmp, "shard-1.db")],
                       capture_output=True, text=True, env=env)
    expect(p.returncode == 0 and all(os.path.exists(os.path.join(tmp, "campaign." + ext)) for ext in ("md", "xml", "html")),
           "merge script writes the Markdown, JUnit and HTML reports")
    whole = os.path.join(tmp, "whole.db")
    subprocess.run([corosim, "fuzz", "--all", "--runs", "40", "--seed", "1", "--db", whole], capture_output=True)
    q = "select scenario, seed, trace_hash from runs where parent is null order by 1, 2, 3"
    rows = lambda db: sqlite3.connect(db).execute(q).fetchall()
    expect(rows(whole) == rows(os.path.join(tmp, "campaign.db")), "2 shards merged == the unsharded campaign")

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
