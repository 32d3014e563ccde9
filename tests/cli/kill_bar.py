#!/usr/bin/env python3
"""Issue 11's kill bar, measured: SIGKILL at random moments of `fuzz --all --time 60s --record all`.

For each kill: the store passes `PRAGMA integrity_check`; it holds every run committed before the
kill, and the newest commit it holds is at most --max-age seconds older than the kill; every
distinct stored failure replays; no worker outlives the campaign; `fuzz --resume` completes the
campaign (its progress says done, with more runs than before).

The commit age is measured from outside: the store's committed run count (campaigns.progress) is
polled every 50 ms, so "age" is the time from the first poll that saw the kept count to the kill
(an upper bound of the true age, by at most one poll interval).

Not a ctest (20 kills take about 20 minutes); run by hand, figures in docs/store.md:
    tests/cli/kill_bar.py PATH/TO/corosim [--kills 20] [--time 60s] [--max-age 2.0] [--seed N] [--include-planted]
"""
import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("corosim")
ap.add_argument("--kills", type=int, default=20)
ap.add_argument("--time", default="60s")
ap.add_argument("--max-age", type=float, default=2.0)
ap.add_argument("--seed", type=int, default=None)
ap.add_argument("--include-planted", action="store_true",
                help="fuzz the planted bugs too, so there are failures to replay and shrinks to cut off")
args = ap.parse_args()
budget = float(args.time.rstrip("s"))
failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("  FAIL:", what, flush=True)


def query(db, sql):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def progress(db):
    try:
        rows = query(db, "SELECT progress FROM campaigns ORDER BY id DESC LIMIT 1")
    except sqlite3.Error:
        return None
    return json.loads(rows[0][0]) if rows and rows[0][0] else None


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            with open("/proc/%d/task/%d/children" % (p, p)) as f:
                kids = [int(x) for x in f.read().split()]
        except OSError:
            kids = []
        out += kids
        todo += kids
    return out


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[-1][0] != "Z"
    except OSError:
        return False


seed = args.seed if args.seed is not None else time.time_ns() % 10**9
rng = random.Random(seed)
print("kill_bar: %d kills of fuzz --all --time %s --record all (seed %d)" % (args.kills, args.time, seed))
ages = []
with tempfile.TemporaryDirectory(prefix="kill bar ") as tmp:  # a space in the path, on purpose
    for k in range(args.kills):
        db = os.path.join(tmp, "kill-%d.db" % k)
        cmd = [args.corosim, "fuzz", "--all", "--time", args.time, "--record", "all", "--db", db]
        if args.include_planted:
            cmd.append("--include-planted")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        at = rng.uniform(1.0, budget - 2.0)
        start = time.monotonic()
        last_poll = start
        seen = {}  # committed run count -> first monotonic time it was seen
        workers = set()
        while time.monotonic() - start < at:
            p = progress(db)
            if p is not None:
                seen.setdefault(p["runs"], time.monotonic())
            workers.update(descendants(proc.pid))
            last_poll = time.monotonic()
            time.sleep(0.05)
        workers.update(descendants(proc.pid))
        proc.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        proc.communicate(timeout=120)
        what = "kill %d at %.1fs" % (k, at)
        time.sleep(0.3)
        left = [w for w in workers if alive(w)]
        expect(not left, "%s: workers %s outlived the campaign" % (what, left))
        if not os.path.exists(db):
            expect(False, "%s: no store" % what)
            continue
        expect(query(db, "PRAGMA integrity_check") == [("ok",)], "%s: integrity_check" % what)
        p = progress(db)
        kept = p["runs"] if p else 0
        rows = query(db, "SELECT count(*) FROM runs WHERE parent IS NULL")[0][0]
        expect(rows >= kept, "%s: %d runs stored, progress says %d" % (what, rows, kept))
        expect(max(seen) <= kept if seen else True,
               "%s: lost committed runs (%d seen committed, %d kept)" % (what, max(seen) if seen else 0, kept))
        if kept in seen:
            age = killed_at - seen[kept]
        elif kept > max(seen, default=0):
            age = killed_at - last_poll  # committed after the last poll: younger than this
        else:
            age = None
        if age is not None:
            ages.append(age)
            expect(age <= args.max_age, "%s: newest kept commit is %.2fs old" % (what, age))
        failed = query(db, "SELECT min(id) FROM runs WHERE outcome != 'pass' GROUP BY scenario, outcome")
        for (run_id,) in failed:
            r = subprocess.run([args.corosim, "replay", "--db", db, "--run", str(run_id)], capture_output=True,
                               text=True, timeout=120)
            expect(r.returncode == 0 and r.stdout.startswith("reproduced"),
                   "%s: run %d replays: %r %r" % (what, run_id, r.stdout[-200:], r.stderr[-200:]))
        r = subprocess.run([args.corosim, "fuzz", "--db", db, "--resume"], capture_output=True, text=True,
                           timeout=int(budget) * 3 + 120)
        p2 = progress(db)
        expect(r.returncode in (0, 1) and p2 is not None and p2.get("done") and p2["runs"] >= kept,
               "%s: --resume completes (exit %d, progress %s): %s" % (what, r.returncode, p2, r.stderr[-300:]))
        expect(query(db, "PRAGMA integrity_check") == [("ok",)], "%s: integrity_check after resume" % what)
        print("%s: %d runs kept (newest commit %s old), %d failure kinds replayed, resumed to %d runs" % (
            what, kept, "%.2fs" % age if age is not None else "n/a", len(failed), p2["runs"] if p2 else -1),
            flush=True)

if ages:
    print("commit age at kill: max %.2fs, mean %.2fs over %d kills" % (max(ages), sum(ages) / len(ages), len(ages)))
print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
