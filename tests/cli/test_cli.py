"""End-to-end checks of the corosim CLI: JSON shapes, exit codes, one-line errors.

usage: test_cli.py PATH/TO/corosim
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

COROSIM = sys.argv[1]
failures = []


def run(*args):
    p = subprocess.run([COROSIM, *args], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def expect_usage_error(args, needle):
    rc, out, err = run(*args)
    expect(rc == 2, "%s: exit %d, want 2" % (args, rc))
    expect(err.startswith("corosim: ") and err.count("\n") == 1, "%s: one-line error, got %r" % (args, err))
    expect(needle in err, "%s: error names %r, got %r" % (args, needle, err))


rc, out, _ = run("list", "--json")
scenarios = json.loads(out)
expect(rc == 0, "list --json exits 0")
names = [s["name"] for s in scenarios]
expect({"ping_pong", "sleep_sort", "racy_counter"} <= set(names), "list has the basics: %s" % names)
expect(all({"name", "family", "description"} <= set(s) for s in scenarios), "list --json objects have the fields")
rc, out, _ = run("list")
expect(rc == 0 and all(n in out for n in names), "list prints every scenario")

with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "runs.db")
    rc, out, _ = run("run", "racy_counter", "--seed", "9", "--policy", "random", "--json", "--db", db)
    expect(rc == 0, "run --json exits 0 on pass")
    obj = json.loads(out)
    for key in ("scenario", "seed", "policy", "outcome", "steps", "vtime_ns", "trace_hash", "run_id"):
        expect(key in obj, "run --json has %s" % key)
    expect(obj["outcome"] == "pass", "racy_counter passes")
    expect(re.fullmatch(r"[0-9a-f]{16}", obj["trace_hash"]) is not None, "trace_hash is 16 hex digits")
    rc2, out2, _ = run("run", "racy_counter", "--seed", "9", "--policy", "random", "--json")
    expect(json.loads(out2)["trace_hash"] == obj["trace_hash"], "same run twice, same hash")

    rc, out, _ = run("replay", "--db", db, "--run", str(obj["run_id"]))
    expect(rc == 0 and out.startswith("reproduced"), "replay reproduces: %r" % out)

    # Tamper with a stored event: replay must say where it diverges and exit 1.
    con = sqlite3.connect(db)
    con.execute("UPDATE events SET text='tampered' WHERE run=? AND seq=(SELECT max(seq) FROM events WHERE run=? AND kind=0)",
                (obj["run_id"], obj["run_id"]))
    con.commit()
    con.close()
    rc, out, _ = run("replay", "--db", db, "--run", str(obj["run_id"]))
    expect(rc == 1 and "first difference at event" in out, "tampered replay diverges: %r" % out)

    expect_usage_error(["replay", "--db", db, "--run", "999"], "no run 999")
    junk = os.path.join(tmp, "junk.db")
    with open(junk, "w") as f:
        f.write("not a database at all")
    expect_usage_error(["replay", "--db", junk, "--run", "1"], "not a corosim store")
    with open(junk) as f:
        expect(f.read() == "not a database at all", "a bad store file is left untouched")

expect_usage_error(["run", "no_such_scenario"], "unknown scenario 'no_such_scenario'")
expect_usage_error(["run", "racy_counter", "--policy", "bogus"], "unknown policy 'bogus'")
expect_usage_error(["run", "racy_counter", "--param", "workers=99"], "out of range")
expect_usage_error(["run", "racy_counter", "--param", "nope=1"], "no parameter 'nope'")
expect_usage_error(["run", "racy_counter", "--seed", "abc"], "--seed")
expect_usage_error(["frobnicate"], "frobnicate")
rc, out, _ = run("--help")
expect(rc == 0 and "run" in out, "--help exits 0")
rc, out, _ = run("run", "--help")
expect(rc == 0 and "--policy" in out, "run --help exits 0")

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
