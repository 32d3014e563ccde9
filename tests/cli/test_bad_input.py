"""Bad input is refused at parse time (issue 11): every entry of the table exits 2 with exactly
one line on stderr, starting `corosim: ` and naming the value; nothing runs first.

usage: test_bad_input.py PATH/TO/corosim_hostile
"""
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

COROSIM = sys.argv[1]
failures = []


def run(*args, timeout=120):
    p = subprocess.run([COROSIM, *args], capture_output=True, text=True, timeout=timeout, errors="replace")
    return p.returncode, p.stdout, p.stderr


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def sql(db, statement, *args):
    con = sqlite3.connect(db)
    con.execute(statement, args)
    con.commit()
    con.close()


with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "s.db")
    rc, out, err = run("run", "racy_counter", "--policy", "random", "--seed", "5", "--db", db)
    assert rc == 0, err
    rc, out, err = run("fuzz", "--scenario", "racy_counter", "--runs", "3", "--db", db)
    assert rc == 0, err
    missing_dir = os.path.join(tmp, "no", "such", "dir")

    def stored(name, statement, *args):
        """A copy of the store with run 1 edited."""
        path = os.path.join(tmp, name + ".db")
        con = sqlite3.connect(db)
        con.execute("VACUUM INTO ?", (path,))
        con.close()
        sql(path, statement, *args)
        return path

    # (arguments, what the one line must mention)
    table = [
        (["run", "racy_counter", "--seed", "-1"], "'-1'"),
        (["fuzz", "--scenario", "racy_counter", "--seed", "-1", "--db", db], "'-1'"),
        (["run", "racy_counter", "--seed", "18446744073709551616"], "18446744073709551616"),
        (["run", "racy_counter", "--max-steps", "-1"], "--max-steps"),
        (["run", "racy_counter", "--max-steps", "0"], "--max-steps"),
        (["explore", "racy_counter", "--max-schedules", "-1"], "--max-schedules"),
        (["explore", "racy_counter", "--max-schedules", "0"], "--max-schedules"),
        (["explore", "racy_counter", "--preemptions", "-1"], "--preemptions"),
        (["explore", "racy_counter", "--preemptions", "65"], "--preemptions"),
        (["explore", "racy_countr"], "racy_counter"),
        (["run", "racy_counter", "--policy", "pct:0"], "pct depth"),
        (["run", "racy_counter", "--policy", "random+jitter:-1ms"], "jitter"),
        (["fuzz", "--scenario", "racy_counter", "--runs", "-1", "--db", db], "--runs"),
        (["fuzz", "--scenario", "racy_counter", "--jobs", "-1", "--db", db], "--jobs"),
        (["fuzz", "--scenario", "racy_counter", "--jobs", "0", "--db", db], "--jobs"),
        (["fuzz", "--scenario", "racy_counter", "--time", "99999999999999999999s", "--db", db], "99999999999999999999s"),
        (["fuzz", "--scenario", "racy_counter", "--time", "9999999999h", "--db", db], "9999999999h"),
        (["fuzz", "--scenario", "racy_counter", "--time", "0", "--db", db], "--time"),
        (["fuzz", "--scenario", "racy_counter", "--time", "0ms", "--db", db], "--time"),
        (["fuzz", "--scenario", "racy_counter", "--time", "5 minutes", "--db", db], "--time"),
        (["fuzz", "--scenario", "racy_counter", "--timeout", "0", "--db", db], "--timeout"),
        (["run", "racy_counter", "--timeout", "-5s"], "--timeout"),
        (["run", "racy_counter", "--max-memory", "0"], "--max-memory"),
        (["run", "racy_counter", "--max-memory", "lots"], "--max-memory"),
        (["run", "racy_counter", "--python", "3.10"], "--python"),
        (["run", "racy_counter", "--python", "3"], "--python"),
        (["explore", "racy_counter", "--python", "3.14"], "--python"),
        (["fuzz", "--scenario", "racy_counter", "--python", "py3.11", "--db", db], "--python"),
        (["fuzz", "--db", db, "--resume", "--python", "3.11"], "--python"),
        (["report", "--db", db, "--campaign", "999"], "no campaign 999"),
        (["report", "--db", db, "--campaign", "-1"], "--campaign"),
        (["report", "--db", db, "--out", os.path.join(missing_dir, "r.md")], "r.md"),
        (["fuzz", "--all", "--runs", "100000", "--db", db, "--junit", os.path.join(missing_dir, "j.xml")], "j.xml"),
        (["run", "no_such_scenario"], "did you mean"),
        (["run", "racy_countr"], "racy_counter"),
        (["run", "evil\x1b[2J\nname"], "unknown scenario"),
        (["replay", "--db", db, "--run", "-3"], "--run"),
        (["replay", "--db", db, "--run", "999"], "no run 999"),
        (["replay", "--db", stored("noparams", "UPDATE runs SET params='{}' WHERE id=1"), "--run", "1"], "'workers' missing"),
        (["replay", "--db", stored("bigparam", "UPDATE runs SET params='{\"workers\":99999999}' WHERE id=1"), "--run", "1"],
         "99999999"),
        (["replay", "--db", stored("extraparam", "UPDATE runs SET params=json_insert(params, '$.bogus', 1) WHERE id=1"),
          "--run", "1"], "bogus"),
        (["replay", "--db", stored("badjson", "UPDATE runs SET params='{\"workers\":' WHERE id=1"), "--run", "1"], "run 1"),
        (["replay", "--db", stored("badpolicy", "UPDATE runs SET policy='bogus' WHERE id=1"), "--run", "1"], "bogus"),
        (["replay", "--db", stored("badpython", "UPDATE runs SET python='2.7' WHERE id=1"), "--run", "1"], "'2.7'"),
        (["replay", "--db", stored("badchoice", "UPDATE runs SET choices=x'63' WHERE id=1"), "--run", "1"], "#0 is 99"),
        (["replay", "--db", stored("widechoice", "UPDATE runs SET choices=x'ffffffff10' WHERE id=1"), "--run", "1"],
         "malformed choice"),
        (["replay", "--db", stored("badoutcome", "UPDATE runs SET outcome='banana' WHERE id=1"), "--run", "1"],
         "bad stored outcome 'banana'"),
        (["fuzz", "--db", db, "--resume", "999"], "no campaign 999"),
        (["fuzz", "--db", db, "--resume", "1"], "not a resumable"),
        (["fuzz", "--db", db, "--resume", "--seed", "4"], "--seed"),
        (["fuzz", "--db", db, "--resume"], "already complete"),
        # A flag takes true/false/1/0 wherever a parameter is given; anything else is one line.
        (["run", "flagged", "--param", "broken=yes"], "'broken' is a flag: true, false, 1 or 0, got 'yes'"),
        (["run", "flagged", "--param", "broken=2"], "true, false, 1 or 0"),
        (["explore", "flagged", "--preemptions", "1", "--param", "broken=TRUE"], "true, false, 1 or 0"),
        (["fuzz", "--scenario", "flagged", "--param", "broken=on", "--db", db], "true, false, 1 or 0"),
        # fuzz --param: a named scenario must have the parameter, --all needs one that has it.
        (["fuzz", "--scenario", "racy_counter", "--param", "broken=1", "--db", db], "'racy_counter' has no parameter 'broken'"),
        (["fuzz", "--scenario", "flagged", "--scenario", "racy_counter", "--param", "broken=1", "--db", db],
         "'racy_counter' has no parameter 'broken'"),
        (["fuzz", "--all", "--param", "nosuch=1", "--db", db], "no fuzzed scenario has parameter 'nosuch'"),
        (["fuzz", "--scenario", "flagged", "--param", "size=10", "--db", db], "out of range"),
        (["fuzz", "--scenario", "flagged", "--param", "size", "--db", db], "key=value"),
        (["fuzz", "--db", db, "--resume", "--param", "size=1"], "--param"),
    ]
    for args, needle in table:
        start = time.monotonic()
        rc, out, err = run(*args)
        secs = time.monotonic() - start
        shown = [a.replace("\x1b", "\\x1b") for a in args]
        expect(rc == 2, "%s: exit %d, want 2 (%r)" % (shown, rc, err))
        expect(err.startswith("corosim: ") and err.count("\n") == 1, "%s: one line on stderr, got %r" % (shown, err))
        expect(needle in err, "%s: the line names %r: %r" % (shown, needle, err))
        expect("\x1b" not in err, "%s: no raw control characters: %r" % (shown, err))
        expect(len(err) < 400, "%s: the line is short (%d chars)" % (shown, len(err)))
        expect(secs < 20, "%s: refused before any work (%.1fs)" % (shown, secs))

    # An edited stored outcome or message does not "reproduce".
    for name, edit in [("outcome", "UPDATE runs SET outcome='fail' WHERE id=1"),
                       ("message", "UPDATE runs SET message='edited' WHERE id=1")]:
        rc, out, err = run("replay", "--db", stored("edited_" + name, edit), "--run", "1")
        expect(rc == 1 and out.startswith("diverged"), "an edited stored %s diverges: %d %r %r" % (name, rc, out, err))

    # A parameter name with a quote and a backslash is stored as valid JSON, and reported.
    odd = os.path.join(tmp, "odd.db")
    rc, out, err = run("run", "odd_param", "--param", 'we"ird\\name=7', "--db", odd)
    expect(rc == 1, "odd_param=7 fails its check: %r" % err)
    con = sqlite3.connect(odd)
    expect(con.execute("SELECT json_valid(params) FROM runs").fetchone()[0] == 1, "stored params are valid JSON")
    con.close()
    rc, out, err = run("report", "--db", odd)
    expect(rc == 0, "report reads it: %r" % err)
    rc, out, err = run("replay", "--db", odd, "--run", "1")
    expect(rc == 0 and out.startswith("reproduced"), "replay reproduces it: %r %r" % (out, err))

    # A flag parameter given as a word or a number runs as 1 or 0.
    for value, want in [("true", 1), ("1", 1), ("false", 0), ("0", 0)]:
        rc, out, err = run("run", "flagged", "--param", "broken=" + value, "--json")
        expect(rc == want and '"broken":%d' % want in out.replace(" ", ""), "run broken=%s: %d %r" % (value, rc, out))
    rc, out, err = run("explore", "flagged", "--preemptions", "1", "--param", "broken=true")
    expect(rc == 1, "explore broken=true finds the failure: %d %r" % (rc, out))

    # fuzz --param pins a parameter in every run, shrunk ones included; without a pin half fail.
    def params_of(path, where="1"):
        con = sqlite3.connect(path)
        rows = con.execute("SELECT seed, params FROM runs WHERE " + where + " ORDER BY id").fetchall()
        con.close()
        return rows

    free = os.path.join(tmp, "free.db")
    rc, out, err = run("fuzz", "--scenario", "flagged", "--runs", "30", "--db", free)
    expect(rc == 1, "unpinned, some drawn runs set the flag: %d" % rc)
    off = os.path.join(tmp, "off.db")
    rc, out, err = run("fuzz", "--scenario", "flagged", "--param", "broken=false", "--runs", "30", "--db", off)
    expect(rc == 0, "broken=false pinned: no failure: %d %r" % (rc, out))
    on = os.path.join(tmp, "on.db")
    rc, out, err = run("fuzz", "--scenario", "flagged", "--param", "broken=true", "--param", "size=7", "--runs", "8",
                       "--record", "all", "--db", on)
    rows = params_of(on)
    expect(rc == 1 and len(rows) >= 8 and all(p == '{"broken":1,"size":7}' for _, p in rows),
           "every run, shrunk ones too, keeps the pins: %d %s" % (rc, rows))
    # --resume keeps the pins: stop a campaign by hand after 5 of its 20 runs and resume it.
    whole = os.path.join(tmp, "whole.db")
    rc, out, err = run("fuzz", "--scenario", "flagged", "--param", "size=7", "--runs", "20", "--no-shrink", "--db", whole)
    cut = os.path.join(tmp, "cut.db")
    con = sqlite3.connect(whole)
    con.execute("VACUUM INTO ?", (cut,))
    con.close()
    con = sqlite3.connect(cut)
    con.execute("pragma foreign_keys = on")
    con.execute("DELETE FROM runs WHERE id > 5")
    failing = con.execute("SELECT count(*) FROM runs WHERE outcome != 'pass'").fetchone()[0]
    con.execute("UPDATE campaigns SET progress = ?", ('{"round":0,"item":5,"runs":5,"regressions":0,"failing_runs":%d,'
                                                      '"elapsed_ms":0,"done":false}' % failing,))
    con.commit()
    con.close()
    rc, out, err = run("fuzz", "--db", cut, "--resume")
    expect(params_of(cut) == params_of(whole) and len(params_of(whole)) == 20,
           "the resumed campaign makes the pinned runs the whole one made: %s vs %s" % (params_of(cut), params_of(whole)))

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
