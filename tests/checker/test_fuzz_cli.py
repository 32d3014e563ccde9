"""End-to-end checks of `corosim fuzz`, `replay` and `merge` (issue 6's bar).

usage: test_fuzz_cli.py PATH/TO/corosim
"""
import os
import re
import shlex
import sqlite3
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

COROSIM = sys.argv[1]
failures = []


def run(*args, timeout=600):
    p = subprocess.run([COROSIM, *args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def rows(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


with tempfile.TemporaryDirectory() as tmp:
    db = lambda name: os.path.join(tmp, name)

    # The built-in scenarios pass.
    rc, out, _ = run("fuzz", "--all", "--runs", "200", "--db", db("all.db"))
    expect(rc == 0, "fuzz --all passes (exit %d): %s" % (rc, out[-500:]))

    # Planted bugs: every one is found within 200 runs, shrunk, and every replay reproduces.
    planted = ["planted_check_then_act", "planted_lost_wakeup", "planted_double_release",
               "planted_swallowing_child", "planted_crash", "planted_abandoned_generator",
               "planted_two_orderings", "planted_late_heartbeat", "planted_lost_reply",
               "planted_kv_stale_read", "planted_lease_unfenced", "planted_udp_counter_dup"]
    junit = db("fuzz.xml")
    rc, out, _ = run("fuzz", "--all", "--include-planted", "--runs", "200", "--db", db("p.db"), "--junit", junit)
    expect(rc == 1, "fuzz --include-planted exits 1 (got %d)" % rc)
    for name in planted:
        expect(re.search(r"^FAIL %s: " % name, out, re.M) is not None, "planted bug %s found" % name)
    ids = re.findall(r"corosim replay --db \S+ --run (\d+)", out)
    expect(len(ids) >= len(planted), "a replay command per failure")
    for run_id in ids:
        rc, rout, _ = run("replay", "--db", db("p.db"), "--run", run_id)
        expect(rc == 0 and rout.startswith("reproduced"), "replay of run %s reproduces: %r" % (run_id, rout))
    for before, after in re.findall(r"shrunk \((\d+) -> (\d+) non-FIFO choices\)", out):
        expect(int(after) <= int(before), "a shrunk run has no more non-FIFO choices (%s -> %s)" % (before, after))
    expect(len(re.findall(r"shrunk \(", out)) >= 5, "non-crash failures are shrunk")
    linked = rows(db("p.db"), "select count(*) from runs where parent is not null")[0][0]
    expect(linked >= 5, "shrunk runs are stored linked to their original (%d)" % linked)
    suites = ET.parse(junit).getroot()
    failed_cases = {tc.get("classname").removeprefix("corosim.") for tc in suites.iter("testcase")
                    if tc.find("failure") is not None}
    # The bugbench family's buggy scenarios are planted too (bench/exploration.py measures them);
    # their fixed twins must never fail.
    bench_cases = {c for c in failed_cases if c.startswith("bugbench_")}
    expect(sorted(failed_cases - bench_cases) == sorted(planted),
           "JUnit lists exactly the planted bugs as failing: %s" % failed_cases)
    expect(not [c for c in bench_cases if c.endswith("_fixed")], "no bugbench twin fails: %s" % bench_cases)

    # A crash names where it died: the FAIL line's headline names the scenario's function past
    # abort(), and its repro line prints the frames below (issue 12).
    m = re.search(r"^FAIL planted_crash: crash: crashed with signal 6 \(Aborted\) in (\S+).*\n  reproduce: (.*)$", out, re.M)
    expect(m is not None and m.group(1).endswith("crash_on_overdraft"), "the crash headline names its function: %r" % out)
    if m:
        rc, rout, _ = run(*shlex.split(m.group(2))[1:])
        expect(rc == 1 and re.search(r"^    #0 ", rout, re.M) and re.search(r"^    #\d+ \S*crash_on_overdraft", rout, re.M)
               and "0x" not in rout.split("reproduce:")[0].replace("+0x", ""),
               "run of a crash prints its frames, without addresses: %r" % rout)

    # A failing run's non-FIFO choices in task terms, in `run` as in `replay` (issue 12).
    for fmt in ([], ["--json"]):
        rc, rout, _ = run("run", "planted_double_release", "--seed", "5", "--param", "cancel_ms=0", "--param", "work_ms=0",
                          "--choices", "1", *fmt)
        expect(rc == 1 and re.search(r"Task-\d+ ran before Task-\d+ \(ready callback 2 of 2; FIFO order runs", rout),
               "run %s explains its non-FIFO choice: %r" % (fmt, rout))

    # Shards merged equal the unsharded campaign.
    run("fuzz", "--all", "--runs", "50", "--db", db("whole.db"))
    run("fuzz", "--all", "--runs", "50", "--shard", "0/2", "--db", db("s0.db"))
    run("fuzz", "--all", "--runs", "50", "--shard", "1/2", "--db", db("s1.db"))
    rc, _, _ = run("merge", db("merged.db"), db("s0.db"), db("s1.db"))
    expect(rc == 0, "merge exits 0")
    rc, out, _ = run("merge", db("merged.db"), db("s0.db"))
    expect(" 0 runs copied" in out, "merging twice adds nothing: %r" % out)
    key = "select scenario, seed, trace_hash from runs where parent is null order by 1, 2, 3"
    whole = rows(db("whole.db"), key)
    expect(whole == rows(db("merged.db"), key), "shard 0/2 + shard 1/2 merged == unsharded")
    expect(not set(rows(db("s0.db"), key)) & set(rows(db("s1.db"), key)), "shards are disjoint")

    # --jobs 2 stores exactly what --jobs 1 does.
    run("fuzz", "--all", "--runs", "50", "--jobs", "1", "--db", db("j1.db"))
    run("fuzz", "--all", "--runs", "50", "--jobs", "2", "--db", db("j2.db"))
    key = "select id, scenario, seed, policy, params, trace_hash, outcome from runs order by id"
    expect(rows(db("j1.db"), key) == rows(db("j2.db"), key), "--jobs 2 == --jobs 1")

    # --stop-at-first-failure: one failing run stored for the scenario (plus its shrunk run), and
    # the summary says at which run it came.
    rc, out, _ = run("fuzz", "--scenario", "planted_check_then_act", "--runs", "500", "--stop-at-first-failure",
                     "--db", db("first.db"))
    expect(rc == 1, "a stopped scenario with a failure still exits 1")
    originals = rows(db("first.db"), "select count(*) from runs where outcome != 'pass' and parent is null")[0][0]
    expect(originals == 1, "--stop-at-first-failure stores one failing run (%d)" % originals)
    m = re.search(r"^\| planted_check_then_act \| \d+ \| \d+ \| (\d+) \| (\d+) \|", out, re.M)
    expect(m is not None and 1 <= int(m.group(1)) <= 50, "first failure index in the summary: %r" % out[:600])

    # explore: a complete count on a correct scenario, the planted race at one preemption, and
    # the printed repro line reproduces it.
    rc, out, _ = run("explore", "parallel_sleepers", "--preemptions", "2")
    expect(rc == 0 and re.match(r"all \d+ schedules explored, \d+ pruned, no violation", out), "explore complete: %r" % out)
    rc, out, _ = run("explore", "planted_check_then_act", "--preemptions", "1", "--db", db("explore.db"))
    expect(rc == 1 and out.startswith("FAIL planted_check_then_act: fail:"), "explore finds the race: %r" % out)
    m = re.search(r"repro: (.*)$", out, re.M)
    expect(m is not None, "explore prints a repro line: %r" % out)
    if m:
        words = shlex.split(m.group(1))
        expect(words[0] == COROSIM, "the repro line names the invoked binary: %r" % words[0])
        rc, rout, rerr = run(*words[1:])
        expect(rc == 1 and rout.startswith("fail planted_check_then_act"), "the repro line reproduces: %r" % rout)

    # Bad input: one line, exit 2.
    for args, needle in ((["fuzz", "--all", "--shard", "2/2"], "--shard"),
                         (["fuzz", "--all", "--time", "soon"], "--time"),
                         (["fuzz"], "nothing to fuzz"),
                         (["merge", db("m.db"), os.path.join(tmp, "missing.db")], "missing.db")):
        rc, _, err = run(*args)
        expect(rc == 2 and err.count("\n") == 1 and needle in err, "%s: exit 2, one line naming %r: %r" % (args, needle, err))

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
