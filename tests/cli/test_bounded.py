"""Every run bounded (issue 11): --timeout ends a run that never yields (outcome hang), --max-memory
one that exhausts memory (outcome oom, also when the scenario swallows std::bad_alloc); stored
hangs and ooms replay bounded the same way; no worker outlives a killed campaign.

usage: test_bounded.py PATH/TO/corosim_hostile SANITIZED(0|1)
"""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HOSTILE = sys.argv[1]
SANITIZED = len(sys.argv) > 2 and sys.argv[2] in ("1", "ON", "TRUE", "true")
failures = []


def run(*args, timeout=120):
    start = time.monotonic()
    p = subprocess.run([HOSTILE, *args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr, time.monotonic() - start


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[-1][0] != "Z"
    except OSError:
        return False


rc, out, err, secs = run("run", "spin_forever", "--timeout", "2s", "--json")
expect(rc == 1 and json.loads(out)["outcome"] == "hang", "run of a never-yielding scenario: hang, exit 1: %r %r" % (out, err))
expect(secs < 10, "run --timeout 2s ends in time (%.1fs)" % secs)

if not SANITIZED:  # ASan reserves terabytes of address space: RLIMIT_AS cannot apply
    for swallow in ("0", "1"):
        rc, out, err, secs = run("run", "alloc_forever", "--param", "swallow=" + swallow, "--max-memory", "256M",
                                 "--timeout", "60s", "--json")
        outcome = json.loads(out)["outcome"] if out else None
        expect(rc == 1 and outcome == "oom", "alloc_forever swallow=%s: oom, exit 1: %r %r" % (swallow, out, err))
        expect(secs < 30, "an oom is found long before the timeout (%.1fs)" % secs)

with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "hostile.db")
    rc, out, err, secs = run("fuzz", "--scenario", "spin_forever", "--runs", "2", "--timeout", "1s", "--db", db)
    expect(rc == 1 and "FAIL spin_forever: hang" in out, "fuzz records hangs: %r %r" % (out, err))
    con = sqlite3.connect(db)
    hangs = [r[0] for r in con.execute("SELECT id FROM runs WHERE outcome='hang'")]
    expect(len(hangs) == 2, "both runs are hangs, not livelocks: %s" % hangs)
    rc, out, err, secs = run("replay", "--db", db, "--run", str(hangs[0]), "--timeout", "2s")
    expect(rc == 0 and out.startswith("reproduced") and "hang again" in out, "a stored hang replays bounded: %r %r" % (out, err))
    expect(secs < 10, "replay of a hang ends within its timeout (%.1fs)" % secs)

    if not SANITIZED:
        rc, out, err, secs = run("fuzz", "--scenario", "alloc_forever", "--runs", "4", "--max-memory", "256M",
                                 "--db", db)
        expect(rc == 1 and "FAIL alloc_forever: oom" in out, "fuzz records ooms: %r %r" % (out, err))
        ooms = [r[0] for r in con.execute("SELECT id FROM runs WHERE outcome='oom'")]
        expect(len(ooms) == 4, "every run is an oom: %s" % ooms)
        rc, out, err, secs = run("replay", "--db", db, "--run", str(ooms[0]))
        expect(rc == 0 and "oom again" in out, "a stored oom replays under its campaign's limit: %r %r" % (out, err))
    con.close()

    # No process outlives a killed campaign (SIGKILL: the workers' PR_SET_PDEATHSIG). No pct in
    # the rotation, so no PCT pilot child comes before the two workers.
    proc = subprocess.Popen([HOSTILE, "fuzz", "--scenario", "spin_forever", "--runs", "8", "--jobs", "2",
                             "--policies", "random", "--timeout", "60s", "--db", os.path.join(tmp, "k.db")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = []
    deadline = time.monotonic() + 30
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            with open("/proc/%d/task/%d/children" % (proc.pid, proc.pid)) as f:
                workers = [int(x) for x in f.read().split()]
        except OSError:
            pass
    expect(len(workers) == 2, "two workers spinning: %s" % workers)
    proc.kill()
    proc.wait()
    time.sleep(0.5)
    left = [w for w in workers if alive(w)]
    expect(not left, "workers %s outlived the killed campaign" % left)
    for w in left:
        os.kill(w, signal.SIGKILL)

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
