"""The store under concurrency and hostile files (issue 11): concurrent creators all succeed, a
writer waits for another, read-only stores are readable, empty/foreign/damaged files are refused
untouched (exit 2, one line), and merge checks every input before writing.

usage: test_store_files.py PATH/TO/corosim
"""
import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import tempfile

COROSIM = sys.argv[1]
failures = []


def run(*args, timeout=300):
    p = subprocess.run([COROSIM, *args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def expect_refused(args, path, needle):
    before = digest(path)
    rc, out, err = run(*args)
    expect(rc == 2 and err.startswith("corosim: ") and err.count("\n") == 1 and needle in err,
           "%s: exit 2 with one line naming %r, got %d %r" % (args, needle, rc, err))
    expect(digest(path) == before, "%s: %s left untouched" % (args, path))


with tempfile.TemporaryDirectory() as tmp:
    # Concurrent creators of the same new store: all succeed, every run kept.
    for attempt in range(5):
        db = os.path.join(tmp, "new%d.db" % attempt)
        procs = [subprocess.Popen([COROSIM, "run", "racy_counter", "--seed", str(i), "--db", db],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(4)]
        results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
        for p in procs:
            p.stdout.close()
            p.stderr.close()
        expect(all(rc == 0 for rc, _ in results), "concurrent creators all succeed: %s" % results)
        con = sqlite3.connect(db)
        expect(con.execute("SELECT count(*) FROM runs").fetchone()[0] == 4, "4 concurrent runs stored")
        con.close()
    leftovers = [f for f in os.listdir(tmp) if ".new-" in f]
    expect(not leftovers, "no half-made store files left: %s" % leftovers)

    # A writer during a campaign waits its turn instead of failing.
    db = os.path.join(tmp, "busy.db")
    fuzz = subprocess.Popen([COROSIM, "fuzz", "--all", "--runs", "100", "--db", db], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    runs = [run("run", "racy_counter", "--seed", str(i), "--db", db) for i in range(3)]
    fuzz.wait(timeout=300)
    expect(all(rc == 0 for rc, _, _ in runs), "run --db during a fuzz succeeds: %s" % [r[2] for r in runs])
    con = sqlite3.connect(db)
    expect(con.execute("SELECT count(*) FROM campaigns WHERE command LIKE 'run %'").fetchone()[0] == 3,
           "every run --db during the fuzz is stored")
    con.close()

    # Read-only stores are readable by report and replay.
    os.chmod(db, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    rc, out, err = run("report", "--db", db)
    expect(rc == 0 and "racy_counter" in out, "report reads a read-only store: %r" % err)
    rc, out, err = run("replay", "--db", db, "--run", "1")
    expect(rc == 0 and out.startswith("reproduced"), "replay reads a read-only store: %r %r" % (out, err))
    os.chmod(db, stat.S_IRUSR | stat.S_IWUSR)

    # Files that are not stores are refused and left as they were.
    empty = os.path.join(tmp, "empty.db")
    open(empty, "w").close()
    expect_refused(["fuzz", "--scenario", "racy_counter", "--db", empty], empty, "empty file")
    expect_refused(["run", "racy_counter", "--db", empty], empty, "empty file")
    foreign = os.path.join(tmp, "foreign.db")
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE mine(x)")
    con.commit()
    con.close()
    expect_refused(["fuzz", "--scenario", "racy_counter", "--db", foreign], foreign, "not a corosim store")
    expect_refused(["report", "--db", foreign], foreign, "not a corosim store")
    damaged = os.path.join(tmp, "damaged.db")
    run("fuzz", "--scenario", "racy_counter", "--runs", "300", "--record", "all", "--db", damaged)
    with open(damaged, "r+b") as f:
        f.seek(3 * 4096 + 8)
        f.write(b"\xff" * 2000)
    expect_refused(["report", "--db", damaged], damaged, damaged)

    # merge checks its inputs first: a bad one, and the output is not even created.
    out_db = os.path.join(tmp, "merged.db")
    rc, out, err = run("merge", out_db, db, empty)
    expect(rc == 2 and err.count("\n") == 1 and not os.path.exists(out_db),
           "merge refuses a bad input before writing: %d %r exists=%s" % (rc, err, os.path.exists(out_db)))
    rc, out, err = run("merge", out_db, db)
    expect(rc == 0 and os.path.exists(out_db), "merge of good inputs works: %r" % err)

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
