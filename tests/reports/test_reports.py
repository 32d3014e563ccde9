"""Failures as a user meets them (issue 12): one FAIL line per distinct bug, a repro line that
reproduces it from a shell without the store (also from a binary whose path needs quoting),
JUnit that an XML parser reads with counts that match, Markdown for a CI job summary.

usage: test_reports.py PATH/TO/corosim
"""
import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

COROSIM = sys.argv[1]
failures = []


def run(*args, prog=COROSIM, timeout=600):
    p = subprocess.run([prog, *args], capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, "NO_COLOR": "1"})
    return p.returncode, p.stdout, p.stderr


def shell(line, timeout=120):
    p = subprocess.run(["bash", "-c", line], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


planted = ["planted_check_then_act", "planted_lost_wakeup", "planted_double_release"]

with tempfile.TemporaryDirectory() as tmp:
    # The binary under a name a shell would split: its repro lines must quote it.
    odd_dir = os.path.join(tmp, "my sims 'x'")
    os.makedirs(odd_dir)
    prog = os.path.join(odd_dir, "my_sim")
    shutil.copy(COROSIM, prog)
    db = os.path.join(tmp, "p.db")
    junit = os.path.join(tmp, "fuzz.xml")
    args = ["fuzz", "--runs", "150", "--db", db, "--junit", junit]
    for name in planted:
        args += ["--scenario", name]
    rc, out, err = run(*args, prog=prog)
    expect(rc == 1, "fuzz of planted bugs exits 1 (got %d): %s" % (rc, err[-300:]))

    # One FAIL line per planted bug: run-specific ids do not split one bug into many.
    fail_lines = re.findall(r"^FAIL (\S+): ", out, re.M)
    expect(sorted(fail_lines) == sorted(planted), "one FAIL line per planted bug: %s" % fail_lines)

    # Every repro line (the first run's and the shrunk run's) names the binary as invoked,
    # quoted, and reproduces the failure's signature from a shell, without the store.
    repros = re.findall(r"^  (?:reproduce: |shrunk \(\d+ -> \d+ non-FIFO choices\): )(.*)$", out, re.M)
    expect(len(repros) >= 2 * len(planted), "a repro line per failure and per shrunk run: %d" % len(repros))
    signatures = {}
    for tc in ET.parse(junit).getroot().iter("testcase"):
        if tc.find("failure") is not None:
            signatures.setdefault(tc.get("classname").removeprefix("corosim."), set()).add(tc.get("name"))
    for line in repros:
        words = shlex.split(line)
        expect(words[:2] == [prog, "run"] and line.startswith("'"), "repro line starts with the quoted binary: %r" % line)
        expect("--db" not in line, "repro line needs no store: %r" % line)
        rc, rout, rerr = shell(line + " --json")
        scenario = words[2]
        verdict = json.loads(rout) if rout.startswith("{") else {}
        expect(rc == 1 and verdict.get("outcome") not in (None, "pass"),
               "repro line fails again: %r -> %d %r" % (line, rc, rerr[-200:]))
        expect(verdict.get("signature") in signatures.get(scenario, ()),
               "repro line reproduces a signature of the report: %r -> %r (report: %s)"
               % (line, verdict.get("signature"), signatures.get(scenario)))
        expect(verdict.get("reproduce") == line, "run --json gives back the same repro line: %r" % verdict.get("reproduce"))

    # JUnit: counts match the elements; one failing testcase per scenario and signature, with
    # a type, a message and the repro lines.
    root = ET.parse(junit).getroot()
    suite = root.find("testsuite")
    cases = list(suite.iter("testcase"))
    failed = [tc for tc in cases if tc.find("failure") is not None]
    expect(int(suite.get("tests")) == len(cases), "testsuite tests=%s, %d testcases" % (suite.get("tests"), len(cases)))
    expect(int(suite.get("failures")) == len(failed), "testsuite failures=%s, %d failing" % (suite.get("failures"), len(failed)))
    expect(int(root.get("tests")) == len(cases) and int(root.get("failures")) == len(failed), "testsuites counts match")
    expect(len(failed) == len(planted), "a failing testcase per bug: %d" % len(failed))
    for tc in failed:
        f = tc.find("failure")
        expect(f.get("type") in ("fail", "deadlock", "error", "livelock", "crash"), "failure type: %r" % f.get("type"))
        expect(f.get("message"), "failure message")
        expect("reproduce: " in f.text and "shrunk (" in f.text, "failure text has the repro and shrunk lines: %r" % f.text)

    # `report --format md|junit` from the store agrees with what fuzz wrote.
    rc, md, _ = run("report", "--db", db, "--format", "md")
    expect(rc == 0 and md.count("\n### ") == len(planted), "Markdown: one section per failure: %r" % md[:300])
    rc, xml_out, _ = run("report", "--db", db, "--format", "junit")
    expect(rc == 0 and len(list(ET.fromstring(xml_out).iter("failure"))) == len(planted), "report --format junit")
    rc, _, err = run("report", "--db", db, "--format", "pdf")
    expect(rc == 2 and err.startswith("corosim: ") and "--format" in err, "unknown format is a usage error: %r" % err)

    # Any message bytes give a well-formed document: invalid UTF-8, control characters, a
    # message far too long for one line.
    con = sqlite3.connect(db)
    con.execute("update runs set message = cast(? as text) where outcome != 'pass'",
                (b"bad \xff\xfe bytes \x01\x02\x1b[31m <&'\"> " + b"x" * 100000,))
    con.commit()
    con.close()
    rc, xml_out, _ = run("report", "--db", db, "--format", "junit")
    try:
        root = ET.fromstring(xml_out)
        msgs = [f.get("message") for f in root.iter("failure")]
        expect(msgs and all(len(m) < 2000 and "<&'\">" in m and "\ufffd" in m and "\x01" not in m for m in msgs),
               "messages cleaned and truncated: %r" % [m[:80] for m in msgs])
    except ET.ParseError as e:
        expect(False, "JUnit with hostile message bytes parses: %s" % e)

# A failure that needs a reordering: replay explains each non-FIFO choice in task terms, naming
# the task that ran and the one FIFO order would have run (from the stored events).
with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "two.db")
    rc, out, err = run("fuzz", "--scenario", "planted_two_orderings", "--runs", "200", "--policies", "random",
                       "--db", db)
    expect(rc == 1, "planted_two_orderings fails under random: %r" % out[-300:])
    con = sqlite3.connect(db)
    row = con.execute("select min(id) from runs where outcome != 'pass' and parent is null").fetchone()
    con.close()
    if row and row[0]:
        rc, out, err = run("replay", "--db", db, "--run", str(row[0]))
        expect(rc == 0 and "non-FIFO choices (" in out, "replay lists the non-FIFO choices: %r" % out)
        expect(re.search(r"at t=[0-9.]+ s, \S+ ran before \S+ \(ready callback [0-9]+ of [0-9]+; FIFO order runs \S+ first\)",
                         out) is not None, "each choice in task terms: %r" % out)

    # Counts read as English: one of a thing is singular, everywhere a count is printed.
    one = os.path.join(tmp, "one.db")
    rc, out, err = run("fuzz", "--scenario", "racy_counter", "--runs", "1", "--policies", "fifo", "--db", one)
    expect(rc == 0 and re.search(r"^1 run, 0 failing \(0 distinct\), campaign 1 in ", out, re.M), "fuzz: 1 run: %r" % out)
    expect("fuzz: 1/1 runs, 0 failures," in err, "progress: 0 failures: %r" % err)
    rc, out, err = run("report", "--db", one)
    expect("\n1 run, 0 failing, 0 distinct failures.\n" in out, "markdown: 1 run: %r" % out)
    rc, out, err = run("report", "--db", one, "--format", "junit")
    expect("1 run, 0 failing, 1 distinct trace, policies fifo" in out, "junit: 1 run, 1 distinct trace: %r" % out)
    rc, out, err = run("report", "--db", one, "--format", "html")
    expect("1 run, 0 failing, <strong>0 distinct failures</strong>" in out, "html: 1 run")
    merged = os.path.join(tmp, "merged.db")
    rc, out, err = run("merge", merged, one)
    expect(rc == 0 and ": 1 run copied, 0 already present" in out, "merge: 1 run copied: %r" % out)
    rc, out, err = run("explore", "racy_counter", "--preemptions", "0")
    expect(rc == 0 and out.startswith("the only schedule explored, 0 pruned, no violation (racy_counter, at most 0 preemptions)"),
           "explore: the only schedule: %r" % out)
    rc, out, err = run("explore", "racy_counter", "--preemptions", "1", "--max-schedules", "1")
    expect(out.startswith("stopped after 1 schedule (--max-schedules), ") and "at most 1 preemption)" in out,
           "explore: 1 schedule, 1 preemption: %r" % out)
    first = os.path.join(tmp, "first.db")
    rc, out, err = run("fuzz", "--scenario", "planted_check_then_act", "--runs", "500", "--stop-at-first-failure",
                       "--no-shrink", "--db", first)
    expect(rc == 1 and re.search(r"^\d+ runs?, 1 failing \(1 distinct\)", out, re.M), "fuzz: 1 failing: %r" % out)
    expect(re.search(r"fuzz: \d+/\d+ runs, 1 failure,", err), "progress: 1 failure: %r" % err)
    rc, out, err = run("report", "--db", first)
    expect(re.search(r"\n\d+ runs?, 1 failing, 1 distinct failure\.\n", out), "markdown: 1 distinct failure: %r" % out)
    rc, out, err = run("report", "--db", first, "--format", "html")
    expect("<strong>1 distinct failure</strong>" in out, "html: 1 distinct failure")

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
