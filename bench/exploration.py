"""How fast each exploration policy finds the bugbench bugs (issue 10), and that their fixed twins
never fail.

Per buggy scenario of the `bugbench` family and per policy, runs SEEDS fuzz campaigns with
different --seed (each stopping at its first failure, capped at CAP runs) and reports the median
and worst runs-to-first-failure; from one more campaign per pair, the distinct schedules per
10,000 runs and the shrunk size (non-FIFO choices left after shrinking). Then fuzzes every fixed
twin under every policy and expects 0 failures.

usage: exploration.py COROSIM [--quick] [--bugs A,B] [--policies P,Q] [--seeds N] [--cap N]
                      [--jobs N] [--markdown FILE] [--json FILE]

Exit status: 0 when every twin passed and every bug was found by some policy, 1 when a twin
failed (a false positive) or a bug was never found, 2 on bad usage.
Python 3 standard library only.
"""
import argparse
import concurrent.futures
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

# "default" means no --policies flag: the binary's own default rotation.
POLICIES = ["fifo", "random", "pct:1", "pct:2", "pct:3", "random+jitter", "random+buggify", "default"]
# Campaign k starts at seed 1 + k * SEED_STRIDE: a campaign's run i has seed base + i, so the
# bases are spaced further apart than any cap to keep the campaigns' runs disjoint.
SEED_STRIDE = 1_000_003


def fail_usage(msg):
    print("exploration.py: " + msg, file=sys.stderr)
    sys.exit(2)


class Corosim:
    """The binary under measurement and what its fuzz command supports."""

    def __init__(self, path):
        self.path = path
        help_text = self.call(["fuzz", "--help"]).stdout
        self.stop_flag = "--stop-at-first-failure" in help_text

    def call(self, args):
        return subprocess.run([self.path] + args, capture_output=True, text=True)

    def bugbench(self):
        """(buggy, twin) name pairs of the bugbench family, from `corosim list`."""
        out = self.call(["list"]).stdout
        names = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[1] == "bugbench":
                names[parts[0]] = "[planted bug]" in line
        return [(n, n + "_fixed") for n, planted in sorted(names.items()) if planted and n + "_fixed" in names]

    def supports(self, policy, scenario):
        if policy == "default":
            return True
        return self.call(["run", scenario, "--policy", policy]).returncode != 2

    def fuzz(self, scenario, policy, seed, runs, stop, shrink, record, db):
        args = ["fuzz", "--scenario", scenario, "--runs", str(runs), "--seed", str(seed), "--record", record,
                "--db", db]
        if policy != "default":
            args += ["--policies", policy]
        if stop and self.stop_flag:
            args.append("--stop-at-first-failure")
        if not shrink:
            args.append("--no-shrink")
        r = self.call(args)
        if r.returncode not in (0, 1):
            raise RuntimeError("corosim %s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr.strip()))
        return r.stdout


def summary_row(stdout, scenario):
    """The fuzz summary table's row for `scenario`, as {lower-cased column header: cell}."""
    header = None
    for line in stdout.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == "scenario":
            header = [c.lower() for c in cells]
        elif header and cells and cells[0] == scenario:
            return dict(zip(header, cells))
    return {}


def column(row, *needles):
    for key, value in row.items():
        if all(n in key for n in needles):
            return value
    return None


def as_int(cell):
    if cell is None:
        return None
    m = re.match(r"\s*(\d+)", cell)
    return int(m.group(1)) if m else None


def first_failure_from_store(db, seed):
    """Fallback for a binary without the summary's first-failure column: the first failing run's
    index in the campaign (run i has seed base + i), 1-based."""
    con = sqlite3.connect(db)
    try:
        row = con.execute("SELECT MIN(seed) FROM runs WHERE outcome != 'pass' AND parent IS NULL").fetchone()
    finally:
        con.close()
    return None if row[0] is None else row[0] - seed + 1


def runs_to_first_failure(corosim, scenario, policy, seed, cap, tmp):
    db = os.path.join(tmp, "c%d_%s.db" % (seed, re.sub(r"\W", "_", policy)))
    if corosim.stop_flag:
        out = corosim.fuzz(scenario, policy, seed, cap, stop=True, shrink=False, record="none", db=db)
        return as_int(column(summary_row(out, scenario), "first", "failure"))  # None: none within the cap
    # Without the flag, grow the campaign: a campaign of N runs is the first N runs of a longer
    # one (run i has seed base + i, its parameters depend only on i), so the first failure of a
    # short campaign is the longer one's.
    runs = 20
    while True:
        runs = min(runs, cap)
        if os.path.exists(db):
            os.remove(db)
        corosim.fuzz(scenario, policy, seed, runs, stop=True, shrink=False, record="none", db=db)
        first = first_failure_from_store(db, seed)
        if first is not None or runs == cap:
            return first
        runs *= 10


def distinct_and_shrunk(corosim, scenario, policy, cap, tmp):
    """Distinct schedules per 10,000 runs (one full campaign) and the shrunk size of the first
    failure (one campaign with shrinking)."""
    db = os.path.join(tmp, "d_%s.db" % re.sub(r"\W", "_", policy))
    has_schedules = None
    out = corosim.fuzz(scenario, policy, 1, cap, stop=False, shrink=False, record="none", db=db)
    row = summary_row(out, scenario)
    distinct = as_int(column(row, "distinct", "schedules"))
    if distinct is None:
        # Older binaries count distinct trace hashes of the stored runs: store them all.
        has_schedules = False
        db2 = db + ".all"
        out = corosim.fuzz(scenario, policy, 1, cap, stop=False, shrink=False, record="failures", db=db2)
        distinct = as_int(column(summary_row(out, scenario), "distinct"))
    per_10k = None if distinct is None else round(distinct * 10000 / cap)
    db3 = db + ".shrink"
    out = corosim.fuzz(scenario, policy, 1, cap, stop=True, shrink=True, record="none", db=db3)
    m = re.search(r"shrunk \((\d+) -> (\d+) non-FIFO choices\)", out)
    shrunk = (int(m.group(1)), int(m.group(2))) if m else None
    return per_10k, shrunk, has_schedules is None


def fmt_runs(values, cap):
    found = [v for v in values if v is not None]
    if not found:
        return "not found"
    # A campaign that did not fail within the cap counts as cap+1 (it is at least that).
    full = sorted(v if v is not None else cap + 1 for v in values)
    med = statistics.median(full)
    worst = full[-1]
    med_s = ">%d" % cap if med > cap else ("%g" % med)
    worst_s = ">%d" % cap if worst > cap else str(worst)
    miss = len(values) - len(found)
    return "%s / %s%s" % (med_s, worst_s, " (%d missed)" % miss if miss else "")


def measure(corosim, bugs, policies, seeds, cap, twin_cap, jobs, log):
    results = {"seeds": seeds, "cap": cap, "twin_cap": twin_cap, "policies": policies, "bugs": {}, "twins": {},
               "stop_flag": corosim.stop_flag}
    with tempfile.TemporaryDirectory() as tmp, concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for bug, twin in bugs:
            t0 = time.time()
            entry = results["bugs"].setdefault(bug, {})
            for policy in policies:
                if not corosim.supports(policy, twin):
                    entry[policy] = None
                    continue
                d = os.path.join(tmp, bug)
                os.makedirs(d, exist_ok=True)
                futs = [pool.submit(runs_to_first_failure, corosim, bug, policy, 1 + k * SEED_STRIDE, cap, d)
                        for k in range(seeds)]
                firsts = [f.result() for f in futs]
                per_10k, shrunk, real_schedules = distinct_and_shrunk(corosim, bug, policy, cap, d)
                entry[policy] = {"first_failure": firsts, "distinct_per_10k": per_10k,
                                 "distinct_is_schedules": real_schedules,
                                 "shrunk": shrunk}
            log("%s: %.1fs" % (bug, time.time() - t0))
            tentry = results["twins"].setdefault(twin, {})
            for policy in policies:
                if entry[policy] is None:
                    continue
                db = os.path.join(tmp, twin + re.sub(r"\W", "_", policy) + ".db")
                out = corosim.fuzz(twin, policy, 1, twin_cap, stop=False, shrink=False, record="none", db=db)
                row = summary_row(out, twin)
                m = re.search(r"(\d+) runs?, (\d+) failing", out)
                tentry[policy] = {"runs": int(m.group(1)) if m else None,
                                  "failing": int(m.group(2)) if m else as_int(column(row, "failures"))}
    return results


def markdown(results):
    pols = results["policies"]
    cap = results["cap"]
    lines = []
    lines.append("Runs to first failure, median / worst over %d campaigns (cap %d runs):\n" % (results["seeds"], cap))
    lines.append("| bug | " + " | ".join(pols) + " |")
    lines.append("|---|" + "---:|" * len(pols))
    for bug, entry in results["bugs"].items():
        cells = ["n/a" if entry[p] is None else fmt_runs(entry[p]["first_failure"], cap) for p in pols]
        lines.append("| %s | %s |" % (bug, " | ".join(cells)))
    any_traces = any(e and not e["distinct_is_schedules"] for entry in results["bugs"].values() for e in entry.values())
    what = "distinct trace hashes (this binary has no distinct-schedules column)" if any_traces else "distinct schedules"
    lines.append("\nPer 10,000 runs, %s (one campaign of %d runs), and shrunk size "
                 "(non-FIFO choices before -> after shrinking the first failure):\n" % (what, cap))
    lines.append("| bug | " + " | ".join(pols) + " |")
    lines.append("|---|" + "---:|" * len(pols))
    for bug, entry in results["bugs"].items():
        cells = []
        for p in pols:
            e = entry[p]
            if e is None:
                cells.append("n/a")
                continue
            d = "-" if e["distinct_per_10k"] is None else str(e["distinct_per_10k"])
            s = "no failure" if e["shrunk"] is None else "%d -> %d" % tuple(e["shrunk"])
            cells.append("%s; %s" % (d, s))
        lines.append("| %s | %s |" % (bug, " | ".join(cells)))
    lines.append("\nFixed twins, failing runs out of %d per policy (must be 0):\n" % results["twin_cap"])
    lines.append("| twin | " + " | ".join(pols) + " |")
    lines.append("|---|" + "---:|" * len(pols))
    for twin, entry in results["twins"].items():
        cells = [str(entry[p]["failing"]) if p in entry else "n/a" for p in pols]
        lines.append("| %s | %s |" % (twin, " | ".join(cells)))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corosim", help="path to the corosim binary")
    ap.add_argument("--quick", action="store_true", help="3 seeds, cap 300 runs: a smoke run of the script")
    ap.add_argument("--bugs", help="comma-separated buggy scenarios (default: every planted bugbench scenario)")
    ap.add_argument("--policies", help="comma-separated policies (default: %s)" % ",".join(POLICIES))
    ap.add_argument("--seeds", type=int, help="campaigns per bug and policy (default 20)")
    ap.add_argument("--cap", type=int, help="runs per campaign (default 10000)")
    ap.add_argument("--twin-runs", type=int, help="runs per twin and policy (default: the cap)")
    ap.add_argument("--jobs", type=int, default=1, help="campaigns run at once (default 1)")
    ap.add_argument("--markdown", help="also write the tables here")
    ap.add_argument("--json", help="write the raw numbers here")
    a = ap.parse_args()
    if not os.access(a.corosim, os.X_OK):
        fail_usage("not an executable: %s" % a.corosim)
    seeds = a.seeds or (3 if a.quick else 20)
    cap = a.cap or (300 if a.quick else 10000)
    twin_cap = a.twin_runs or cap
    if seeds < 1 or cap < 1 or twin_cap < 1 or a.jobs < 1:
        fail_usage("--seeds, --cap, --twin-runs and --jobs want positive numbers")
    corosim = Corosim(a.corosim)
    pairs = corosim.bugbench()
    if a.bugs:
        wanted = a.bugs.split(",")
        known = dict(pairs)
        for b in wanted:
            if b not in known:
                fail_usage("unknown bugbench bug '%s' (see `corosim list`)" % b)
        pairs = [(b, known[b]) for b in wanted]
    if not pairs:
        fail_usage("no bugbench scenarios in %s" % a.corosim)
    policies = a.policies.split(",") if a.policies else POLICIES
    log = lambda msg: print(msg, file=sys.stderr, flush=True)
    if not corosim.stop_flag:
        log("note: this corosim has no --stop-at-first-failure; campaigns grow 20, 200, ... runs "
            "up to the cap and the first failure is read from the store")
    results = measure(corosim, pairs, policies, seeds, cap, twin_cap, a.jobs, log)
    text = markdown(results)
    print(text)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(text)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    false_positives = [(t, p) for t, e in results["twins"].items() for p, v in e.items() if v["failing"]]
    for t, p in false_positives:
        print("FALSE POSITIVE: %s failed under %s" % (t, p), file=sys.stderr)
    missed = [b for b, e in results["bugs"].items()
              if not any(v and any(x is not None for x in v["first_failure"]) for v in e.values())]
    for b in missed:
        print("NOT FOUND by any policy: %s" % b, file=sys.stderr)
    print("%d passed, %d failed" % (len(results["twins"]) - len({t for t, _ in false_positives}),
                                    len({t for t, _ in false_positives})))
    return 1 if false_positives or missed else 0


if __name__ == "__main__":
    sys.exit(main())
