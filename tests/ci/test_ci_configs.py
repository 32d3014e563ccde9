"""The GitHub Actions workflow of docs/ci.md, run here as written: every job's steps in order,
each job in a fresh copy of the repository (actions/checkout: no build directory, no out/, no
hand-made folders), `run:` steps with bash -e and their ${{ }} expressions evaluated, a file for
$GITHUB_STEP_SUMMARY, and upload/download-artifact emulated by copying the paths the workflow
names (an upload's `path` into a directory named after the artifact; a download of `pattern`
into `path`/NAME/). The Build step is the Dockerfile's RUN command, which test_ci_image.py runs
for real; here it stands for itself by putting the corosim under test at build/cli/corosim.

Four runs: a push (seed 1, every run passes: the merged store is exactly the unsharded
campaign, exit 0), a nightly schedule (seed = run id, printed and in the summary), a push whose
corosim finds a bug (shards fail after uploading, the merge writes the summary, uploads the
store, JUnit and the regression corpus and saves the corpus in the cache, then fails), and one
more that restores the corpus and re-runs its entry first. actions/cache is a directory that
outlives the runs.

usage: test_ci_configs.py SOURCE_DIR PATH/TO/corosim
"""
import fnmatch
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cleancopy import clean_copy  # noqa: E402

src, corosim = sys.argv[1], os.path.abspath(sys.argv[2])
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


with open(os.path.join(src, ".github/workflows/fuzz.yml")) as f:
    wf = yaml.safe_load(f)
with open(os.path.join(src, "Dockerfile")) as f:
    build_command = next(l[4:].strip() for l in f if l.startswith("RUN "))
shard = wf["jobs"]["shard"]
matrix = shard["strategy"]["matrix"]["shard"]
fuzz_step = next(s for s in shard["steps"] if "fuzz-shard.sh" in s.get("run", ""))
expect(matrix == list(range(len(matrix))), "matrix shards are 0..N-1: %s" % matrix)
expect(" %d " % len(matrix) in fuzz_step["run"], "the fuzz step's shard count equals the matrix size")
expect(shard["strategy"].get("fail-fast") is False, "a shard that found bugs does not cancel the others")
expect(wf["jobs"]["merge"]["needs"] == "shard", "merge waits for every shard")
expect(wf["jobs"]["merge"].get("if") == "always()", "merge runs when shards found failures too")

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def evaluate(expr, ctx):
    """The few GitHub expressions the workflow uses: context values, ==, && and ||, literals."""
    def value(m):
        return repr(ctx[m.group(0)])
    py = re.sub(r"\b(github|matrix)\.[a-z_]+\b", value, expr).replace("&&", " and ").replace("||", " or ")
    return eval(py, {"__builtins__": {}}, {})


def substitute(text, ctx):
    return EXPR.sub(lambda m: str(evaluate(m.group(1), ctx)), text)


def copy_into(path, dest):
    os.makedirs(dest, exist_ok=True)
    if os.path.isdir(path):
        shutil.copytree(path, dest, dirs_exist_ok=True)
    else:
        shutil.copy(path, dest)


def run_job(tmp, name, job, ctx, artifacts, image_corosim, job_env):
    """Runs one job in a fresh checkout; returns (success, {step name: exit}, summary text, logs)."""
    ws = clean_copy(src, os.path.join(tmp, "ws-%s-%s" % (name, ctx.get("matrix.shard", ""))))
    summary = os.path.join(tmp, "summary-%s-%s.md" % (name, ctx.get("matrix.shard", "")))
    open(summary, "w").close()
    env = dict(os.environ, GITHUB_STEP_SUMMARY=summary, GITHUB_WORKSPACE=ws, CI="true", **job_env)
    env.pop("COROSIM", None)
    ok, exits, logs = True, {}, ""
    steps = job["steps"]
    expect(steps[0].get("uses", "").startswith("actions/checkout@"), "%s checks out first" % name)
    for i, step in enumerate(steps[1:], 1):
        cond = step.get("if")
        if not ok and cond != "always()":
            continue
        label = substitute(step.get("name", step.get("uses", step.get("run", ""))), ctx)
        with_ = {k: substitute(str(v), ctx) for k, v in step.get("with", {}).items()}
        uses = step.get("uses", "")
        if uses.startswith("actions/upload-artifact@"):
            path = os.path.join(ws, with_["path"])
            expect(os.path.exists(path), "%s: upload %s finds %s" % (name, with_["name"], with_["path"]))
            if os.path.exists(path):
                copy_into(path, os.path.join(artifacts, with_["name"]))
            continue
        if uses.startswith("actions/cache/restore@"):
            keys = [with_["key"]] + [k for k in with_.get("restore-keys", "").split("\n") if k]
            saved = sorted(os.listdir(CACHE), key=lambda k: os.path.getmtime(os.path.join(CACHE, k)), reverse=True)
            hit = next((c for k in keys for c in saved if c == k or (k != with_["key"] and c.startswith(k))), None)
            if hit:
                copy_into(os.path.join(CACHE, hit), os.path.join(ws, with_["path"]))
            continue
        if uses.startswith("actions/cache/save@"):
            path = os.path.join(ws, with_["path"])
            expect(os.path.isdir(path), "%s: the cache saves %s" % (name, with_["path"]))
            if os.path.isdir(path) and not os.path.exists(os.path.join(CACHE, with_["key"])):
                copy_into(path, os.path.join(CACHE, with_["key"]))
            continue
        if uses.startswith("actions/download-artifact@"):
            for art in sorted(os.listdir(artifacts)):
                if fnmatch.fnmatch(art, with_.get("pattern", "*")):
                    copy_into(os.path.join(artifacts, art), os.path.join(ws, with_["path"], art))
            continue
        expect("run" in step, "%s: a step this test knows: %s" % (name, step))
        script = substitute(step["run"], ctx)
        step_env = dict(env, **{k: substitute(str(v), ctx) for k, v in step.get("env", {}).items()})
        if script.strip() == build_command:
            # The Dockerfile's build (run for real by test_ci_image.py), standing for itself.
            os.makedirs(os.path.join(ws, "build/cli"))
            shutil.copy(image_corosim, os.path.join(ws, "build/cli/corosim"))
            continue
        p = subprocess.run(["bash", "-e", "-c", script], cwd=ws, env=step_env, capture_output=True, text=True)
        logs += "## %s (exit %d)\n%s%s" % (label, p.returncode, p.stdout, p.stderr)
        exits[label] = p.returncode
        ok = ok and p.returncode == 0
    with open(summary) as f:
        return ok, exits, f.read(), logs, ws


def run_workflow(tmp, event, run_id, image_corosim):
    """Runs the workflow once; CACHE (actions/cache) outlives it, as it does on GitHub."""
    """Every job of the workflow for one event; returns {job: [results]} and the artifacts."""
    artifacts = os.path.join(tmp, "artifacts")
    os.makedirs(artifacts)
    ctx = {"github.event_name": event, "github.run_id": run_id, "github.run_attempt": 1}
    job_env = {k: str(substitute(str(v), ctx)) for k, v in wf.get("env", {}).items()}
    results = {"shard": []}
    for s in matrix:
        results["shard"].append(run_job(tmp, "shard", shard, dict(ctx, **{"matrix.shard": s}), artifacts,
                                        image_corosim, job_env))
    results["merge"] = run_job(tmp, "merge", wf["jobs"]["merge"], ctx, artifacts, image_corosim, job_env)
    return results, artifacts


def rows(db, where="parent is null"):
    q = "select scenario, seed, trace_hash from runs where %s order by 1, 2, 3" % where
    return sqlite3.connect(db).execute(q).fetchall()


with tempfile.TemporaryDirectory() as tmp:
    CACHE = os.path.join(tmp, "cache")  # actions/cache: a directory per key, across runs
    os.makedirs(CACHE)
    whole = os.path.join(tmp, "whole.db")
    subprocess.run([corosim, "fuzz", "--all", "--runs", "2000", "--seed", "1", "--db", whole], capture_output=True)

    results, artifacts = run_workflow(os.path.join(tmp, "push"), "push", "1234567", corosim)
    for i, (ok, exits, _, logs, _) in enumerate(results["shard"]):
        expect(ok, "push: shard %d passes: %s" % (i, logs[-500:]))
        expect("seed 1," in logs, "push: shard %d prints seed 1" % i)
    ok, exits, summary, logs, ws = results["merge"]
    expect(ok, "push: the merge job passes: %s" % logs[-800:])
    expect("seed 1 (push)" in summary and "# corosim report" in summary and "runs" in summary,
           "push: the job summary has the seed and the report: %r" % summary[:300])
    campaign = os.path.join(artifacts, "campaign/campaign.db")
    expect(os.path.exists(campaign) and rows(campaign) == rows(whole),
           "push: the merged store (artifact campaign) == the unsharded campaign")
    expect(os.path.exists(os.path.join(artifacts, "junit/campaign.xml")), "push: the JUnit report is an artifact")
    expect(all(os.path.exists(os.path.join(artifacts, "campaign/campaign." + e)) for e in ("md", "xml", "html")),
           "push: the reports are in the campaign artifact")

    run_id = "9876543210"
    results, artifacts = run_workflow(os.path.join(tmp, "nightly"), "schedule", run_id, corosim)
    expect(all(r[0] for r in results["shard"]) and results["merge"][0], "nightly: every job passes")
    expect(all("seed %s," % run_id in r[3] for r in results["shard"]), "nightly: each shard prints the run id as its seed")
    expect("seed %s (schedule)" % run_id in results["merge"][2], "nightly: the summary names the seed")
    campaign = os.path.join(artifacts, "campaign/campaign.db")
    seeds = sqlite3.connect(campaign).execute("select min(seed), count(*) from runs").fetchone()
    expect(seeds[0] == int(run_id) and seeds[1] == len(rows(whole)),
           "nightly: the campaign starts at the run id's seed, as many runs as a push (%s)" % (seeds,))

    # The corosim of a project whose scenario has a bug: its `fuzz --all` is a planted bug.
    planted = os.path.join(tmp, "corosim-planted")
    with open(planted, "w") as f:
        f.write(PLANTED_WRAPPER % (corosim, corosim))
    os.chmod(planted, 0o755)
    results, artifacts = run_workflow(os.path.join(tmp, "bugs"), "push", "1", planted)
    expect(all(not r[0] for r in results["shard"]), "bugs: every shard job fails")
    expect(all(os.path.exists(os.path.join(artifacts, "shard-%d/shard-%d.db" % (i, i))) for i in matrix),
           "bugs: every failed shard still uploaded its store")
    ok, exits, summary, logs, ws = results["merge"]
    expect(not ok and exits.get("Merge the shards into one store") == 1, "bugs: the merge step exits 1: %s" % exits)
    expect("## Failures" in summary and "planted_" in summary, "bugs: the summary lists the failures")
    campaign = os.path.join(artifacts, "campaign/campaign.db")
    expect(os.path.exists(campaign) and rows(campaign, "outcome != 'pass'"), "bugs: the merged store with its failures is kept")
    expect(os.path.exists(os.path.join(artifacts, "junit/campaign.xml")), "bugs: the JUnit report is kept")
    kept = sorted(os.listdir(os.path.join(artifacts, "campaign/corpus"))) if os.path.isdir(
        os.path.join(artifacts, "campaign/corpus")) else []
    expect(len(kept) == 1 and kept[0].startswith("planted_double_release-"),
           "bugs: the failure is in the merged corpus, in the campaign artifact: %s" % kept)
    expect(any(k.startswith("fuzz-corpus-1-") and os.listdir(os.path.join(CACHE, k)) == kept for k in os.listdir(CACHE)),
           "bugs: ... and saved in the cache")

    # The next run restores the corpus: each shard reads it, one of them re-runs the entry first.
    results, artifacts = run_workflow(os.path.join(tmp, "again"), "push", "2", planted)
    logs = [r[3] for r in results["shard"]]
    expect(all("fuzz: corpus out/corpus: 1 entry," in l for l in logs), "again: every shard restored the corpus")
    expect(sum("1 of this campaign's scenarios (and shard) re-run first" in l for l in logs) == 1,
           "again: exactly one shard re-runs the entry")
    expect(sorted(os.listdir(os.path.join(artifacts, "campaign/corpus"))) == kept, "again: the same failure, no new entry")

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
