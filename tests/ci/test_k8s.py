"""The Kubernetes campaign of docs/ci.md without a cluster: the manifests parse and are wired
(an Indexed Job over a ReadWriteMany claim both Jobs use, a merge Job naming every shard's
store), and deploy/k8s/run-campaign.sh, run as written with a stub kubectl on PATH that runs
each Job's pods here (tests/ci/kubectl_stub.py), applies the claim, then the shards, waits for
them to finish and only then starts the merge. A campaign without bugs ends 0 with exactly the
unsharded campaign in the merged store; SEED reaches every shard; one that found bugs fails its
shard pods and the merge Job (exit 1) with every shard's store written, and keeps the failure
in the regression corpus on the volume.

usage: test_k8s.py SOURCE_DIR PATH/TO/corosim
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cleancopy import clean_copy  # noqa: E402

src, corosim = sys.argv[1], os.path.abspath(sys.argv[2])
k8s = os.path.join(src, "deploy/k8s")
failures = []
# A corosim whose `fuzz --all` fuzzes one planted bug instead (a project with a buggy scenario).
PLANTED_WRAPPER = """#!/bin/bash
if [ "$1" = fuzz ]; then
  shift
  args=()
  for a in "$@"; do if [ "$a" = --all ]; then args+=(--scenario planted_double_release); else args+=("$a"); fi; done
  exec "%s" fuzz "${args[@]}"
fi
exec "%s" "$@"
"""


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def load(name):
    with open(os.path.join(k8s, name)) as f:
        return list(yaml.safe_load_all(f))


(pvc,) = load("pvc.yaml")
(shards,) = load("fuzz-job.yaml")
(merge,) = load("merge-job.yaml")
expect(pvc["kind"] == "PersistentVolumeClaim" and pvc["spec"]["accessModes"] == ["ReadWriteMany"],
       "the volume is a ReadWriteMany PersistentVolumeClaim")
claim = pvc["metadata"]["name"]
for job in (shards, merge):
    pod = job["spec"]["template"]["spec"]
    expect(job["kind"] == "Job" and pod["restartPolicy"] == "Never", "%s is a Job that never restarts its pod" % job["metadata"]["name"])
    expect([v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"]] == [claim], "%s mounts the claim" % job["metadata"]["name"])
    expect(pod["containers"][0]["image"] == "corosim:latest", "%s runs the corosim image" % job["metadata"]["name"])
with open(os.path.join(src, "Dockerfile")) as f:
    expect("docker build -t corosim:latest ." in f.read(), "the Dockerfile says how to build corosim:latest")
spec = shards["spec"]
n = spec["completions"]
args = " ".join(spec["template"]["spec"]["containers"][0]["args"])
expect(spec["completionMode"] == "Indexed" and spec["parallelism"] == n, "the shard Job is Indexed, all shards at once")
expect('"$JOB_COMPLETION_INDEX" %d /results ' % n in args, "pod I runs shard I of `completions` into the volume: %s" % args)
expect(spec.get("backoffLimitPerIndex") == 0 and "backoffLimit" not in spec,
       "a failed shard neither stops the others nor is retried")
expect(merge["spec"]["template"]["spec"]["containers"][0]["args"] ==
       ["/results/campaign.db"] + ["/results/shard-%d.db" % i for i in range(n)], "the merge names every shard's store")


def campaign(tmp, seed=None, planted=False):
    """Runs run-campaign.sh against the stub; returns (exit status, calls, output, volume)."""
    base = os.path.join(tmp, "cluster")
    os.makedirs(os.path.join(base, "bin"))
    os.symlink(os.path.join(src, "tests/ci/kubectl_stub.py"), os.path.join(base, "bin/kubectl"))
    image = clean_copy(src, os.path.join(tmp, "image"))  # the image's /src
    os.makedirs(os.path.join(image, "build/cli"))
    binary = os.path.join(image, "build/cli/corosim")
    if planted:
        # The image of a project whose scenario has a bug: its `fuzz --all` is a planted bug.
        with open(binary, "w") as f:
            f.write(PLANTED_WRAPPER % (corosim, corosim))
        os.chmod(binary, 0o755)
    else:
        os.symlink(corosim, binary)
    env = dict(os.environ, PATH=os.path.join(base, "bin") + ":" + os.environ["PATH"], KUBE_STUB_DIR=base,
               KUBE_STUB_IMAGE=image, POLL_SECONDS="0", WAIT_SECONDS="5")
    # From an unrelated directory: the script finds its manifests next to itself.
    p = subprocess.run([os.path.join(k8s, "run-campaign.sh")] + ([str(seed)] if seed is not None else []),
                       cwd=tmp, env=env, capture_output=True, text=True)
    with open(os.path.join(base, "calls.jsonl")) as f:
        calls = [json.loads(l) for l in f]
    return p.returncode, calls, p.stdout + p.stderr, os.path.join(base, "volumes", claim)


def runs(db):
    q = "select scenario, seed, trace_hash from runs where parent is null order by 1, 2, 3"
    return sqlite3.connect(db).execute(q).fetchall()


with tempfile.TemporaryDirectory() as tmp:
    status, calls, out, volume = campaign(tmp)
    expect(status == 0, "a campaign without failures ends 0 (got %d): %s" % (status, out[-600:]))
    verbs = [" ".join(c["argv"][:3]) for c in calls]
    print("\n".join(verbs))

    def first(prefix):
        return next((i for i, v in enumerate(verbs) if v.startswith(prefix)), None)

    apply_pvc = next(i for i, c in enumerate(calls) if c["argv"][:2] == ["apply", "-f"] and c["argv"][2].endswith("pvc.yaml"))
    apply_shards = next(i for i, c in enumerate(calls) if c["argv"][:2] == ["apply", "-f"] and c["argv"][2] == "-")
    wait_shards = first("get job/corosim-fuzz")
    apply_merge = next(i for i, c in enumerate(calls) if c["argv"][:2] == ["apply", "-f"] and c["argv"][2].endswith("merge-job.yaml"))
    wait_merge = first("get job/corosim-merge")
    expect(apply_pvc < apply_shards < wait_shards < apply_merge < wait_merge < first("logs job/corosim-merge"),
           "order: apply the claim, the shard Job, wait for it, apply the merge Job, wait, its log")
    expect(calls[apply_merge]["jobs"].get("corosim-fuzz") in ("Complete", "Failed"),
           "the merge Job is created only after the shard Job finished")
    expect(all("shard-%d.db" % i in calls[apply_merge]["volume"] for i in range(n)),
           "every shard's store is on the volume before the merge starts")
    expect(yaml.safe_load(calls[apply_shards]["stdin"]) == shards, "SEED unset: the shard Job is applied as written")
    whole = os.path.join(tmp, "whole.db")
    subprocess.run([corosim, "fuzz", "--all", "--runs", "2000", "--seed", "1", "--db", whole], capture_output=True)
    expect(runs(whole) == runs(os.path.join(volume, "campaign.db")), "the merged store == the unsharded campaign")
    expect(all(os.path.exists(os.path.join(volume, "campaign." + e)) for e in ("md", "xml", "html")),
           "the merge writes its reports on the volume")
    expect("# corosim report" in out, "the script prints the merge's report")

with tempfile.TemporaryDirectory() as tmp:
    status, calls, out, volume = campaign(tmp, seed=4242)
    applied = yaml.safe_load(next(c["stdin"] for c in calls if c["argv"] == ["apply", "-f", "-"]))
    env = applied["spec"]["template"]["spec"]["containers"][0]["env"]
    expect({"name": "SEED", "value": "4242"} in env, "SEED reaches the shard Job: %s" % env)
    seeds = sqlite3.connect(os.path.join(volume, "campaign.db")).execute("select min(seed) from runs").fetchone()[0]
    expect(status == 0 and seeds == 4242, "the campaign starts at seed 4242 (got %s, exit %d)" % (seeds, status))
    expect("seed 4242" in out, "the seed is printed")

with tempfile.TemporaryDirectory() as tmp:
    status, calls, out, volume = campaign(tmp, planted=True)
    expect(status == 1, "a campaign that found bugs ends 1 (got %d): %s" % (status, out[-600:]))
    state = json.load(open(os.path.join(tmp, "cluster/state.json")))
    expect(state["jobs"]["corosim-fuzz"]["condition"] == "Failed" and
           any(p["exit"] == 1 for p in state["jobs"]["corosim-fuzz"]["pods"]), "shards that found bugs fail their pods")
    expect(state["jobs"]["corosim-merge"]["condition"] == "Failed", "the merge Job fails")
    for i in range(n):
        db = os.path.join(volume, "shard-%d.db" % i)
        expect(os.path.exists(db) and os.path.exists(os.path.join(volume, "shard-%d.xml" % i)),
               "shard %d wrote its store and JUnit before failing" % i)
    bad = sqlite3.connect(os.path.join(volume, "campaign.db")).execute(
        "select count(*) from runs where outcome != 'pass'").fetchone()[0]
    expect(bad > 0 and "## Failures" in out, "the merged store and the printed report have the failures")
    entries = os.listdir(os.path.join(volume, "corpus")) if os.path.isdir(os.path.join(volume, "corpus")) else []
    expect(len(entries) == 1 and entries[0].startswith("planted_double_release-") and entries[0].endswith(".repro"),
           "the failure is kept in the regression corpus on the volume: %s" % entries)

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
