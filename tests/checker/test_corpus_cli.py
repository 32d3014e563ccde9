"""`corosim fuzz --corpus DIR`, the regression corpus (issue 11): a campaign that finds a bug
keeps its shrunk run in DIR; a later campaign whose own seeds would not find it re-runs the
corpus first and fails at once, with the repro line; an entry that passes stays; an entry that
is not valid is refused before anything runs (exit 2, one line naming the file).

usage: test_corpus_cli.py PATH/TO/corosim
"""
import glob
import os
import sqlite3
import subprocess
import sys
import tempfile

COROSIM = sys.argv[1]
failures = []


def run(*args):
    p = subprocess.run([COROSIM, *args], capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


BUG = "planted_double_release"

with tempfile.TemporaryDirectory() as tmp:
    corpus = os.path.join(tmp, "corpus")  # not there yet: the first campaign makes it
    code, out, err = run("fuzz", "--scenario", BUG, "--runs", "30", "--db", os.path.join(tmp, "a.db"), "--corpus", corpus)
    expect(code == 1 and "FAIL " + BUG in out, "the first campaign finds the bug (exit %d)" % code)
    expect("corpus %s: 0 entries re-run, 1 added" % corpus in out, "... and adds it to the corpus: %s" % out[-300:])
    entries = glob.glob(os.path.join(corpus, "*.repro"))
    expect(len(entries) == 1, "one entry per distinct failure: %s" % entries)
    text = open(entries[0]).read() if entries else ""
    expect("scenario: %s\n" % BUG in text and "policy: replay\n" in text and "choices: " in text and
           "signature: fail: check failed" in text, "the entry is the shrunk run, as text: %s" % text)

    # Seeds that do not find the bug: run 0 only (defaults under fifo).
    code, out, err = run("fuzz", "--scenario", BUG, "--runs", "1", "--db", os.path.join(tmp, "plain.db"))
    expect(code == 0, "without the corpus, --runs 1 does not find the bug (exit %d)" % code)
    b = os.path.join(tmp, "b.db")
    code, out, err = run("fuzz", "--scenario", BUG, "--runs", "1", "--db", b, "--corpus", corpus)
    expect(code == 1 and "FAIL " + BUG in out and "--choices" in out.split("FAIL ", 1)[-1],
           "with it, the bug fails at once, with its repro line (exit %d): %s" % (code, out[-400:]))
    first = sqlite3.connect(b).execute("select policy, outcome from runs order by id limit 1").fetchone()
    expect(first is not None and first[0] == "replay" and first[1] == "fail", "the corpus run is the campaign's first: %s" % (first,))
    expect("1 entry re-run, 0 added" in out and sorted(glob.glob(os.path.join(corpus, "*.repro"))) == entries,
           "a known failure adds no entry")
    code, out, err = run("replay", "--db", b, "--run", "1")
    expect(code == 0 and "reproduced" in out, "the stored regression run replays (exit %d): %s" % (code, out[-200:]))

    # Other scenarios' entries are kept but not run.
    code, out, err = run("fuzz", "--scenario", "parallel_sleepers", "--runs", "2", "--db", os.path.join(tmp, "o.db"), "--corpus", corpus)
    expect(code == 0 and "0 of this campaign's scenarios (and shard) re-run first" in err, "entries of other scenarios are not run (exit %d)" % code)

    # An entry that passes now (the bug "fixed": the default schedule) stays in the corpus.
    passing = os.path.join(corpus, "%s-fixed.repro" % BUG)
    with open(passing, "w") as f:
        f.write("scenario: %s\nsignature: fail: check failed: fixed\nseed: 1\npolicy: replay\n"
                "param: cancel_ms=100\nparam: work_ms=50\nchoices: 0\n" % BUG)
    code, out, err = run("fuzz", "--scenario", BUG, "--runs", "1", "--db", os.path.join(tmp, "c.db"), "--corpus", corpus)
    expect(code == 1 and "2 entries re-run" in out and os.path.exists(passing), "a passing entry is re-run and stays")
    os.remove(passing)

    # Bad entries: one line naming the file, exit 2, nothing run.
    good = open(entries[0]).read() if entries else ""
    bad_entries = {
        "unknown key": good + "colour: red\n",
        "no scenario": good.replace("scenario: %s\n" % BUG, ""),
        "unknown scenario": good.replace("scenario: %s" % BUG, "scenario: no_such_scenario"),
        "negative seed": good.replace("seed: 5", "seed: -1"),
        "parameter out of range": good.replace("param: work_ms=0", "param: work_ms=99999999999"),
        "parameter missing": good.replace("param: work_ms=0\n", ""),
        "unknown parameter": good + "param: nope=1\n",
        "bad choice": good.replace("choices: 1", "choices: 1,x"),
        "not replaying": good.replace("policy: replay", "policy: random"),
        "unknown policy": good.replace("policy: replay", "policy: sideways"),
        "twice": good + "seed: 6\n",
        "not key: value": good + "hello\n",
    }
    for what, text in bad_entries.items():
        bad_dir = os.path.join(tmp, "bad-" + what.replace(" ", "_").replace(":", ""))
        os.makedirs(bad_dir)
        path = os.path.join(bad_dir, "entry.repro")
        with open(path, "w") as f:
            f.write(text)
        db = os.path.join(tmp, "bad.db")
        code, out, err = run("fuzz", "--scenario", BUG, "--runs", "1", "--db", db, "--corpus", bad_dir)
        lines = err.strip().splitlines()
        expect(code == 2 and len(lines) == 1 and lines[0].startswith("corosim: corpus entry '%s'" % path),
               "%s: exit 2 with one line naming the file (exit %d): %s" % (what, code, err.strip()[:300]))
        expect(not os.path.exists(db), "%s: nothing ran" % what)
    not_a_dir = os.path.join(tmp, "file")
    open(not_a_dir, "w").close()
    code, out, err = run("fuzz", "--scenario", BUG, "--runs", "1", "--db", os.path.join(tmp, "d.db"), "--corpus", not_a_dir)
    expect(code == 2 and len(err.strip().splitlines()) == 1 and "not a directory" in err, "a file as corpus: exit 2 (%s)" % err.strip())

    # Shards: each entry runs in one shard, so the merged campaign has it once.
    for i in range(2):
        run("fuzz", "--scenario", BUG, "--runs", "4", "--shard", "%d/2" % i, "--db", os.path.join(tmp, "s%d.db" % i), "--corpus", corpus)
    n = [sqlite3.connect(os.path.join(tmp, "s%d.db" % i)).execute("select count(*) from runs where policy = 'replay' and parent is null").fetchone()[0]
         for i in range(2)]
    expect(sorted(n) == [0, 1], "the entry ran in one shard: %s" % n)

    # A campaign stopped among its regression runs re-runs, on --resume, exactly those it had not
    # stored (the stop is made by hand: the store as a kill after the first entry's commit leaves it),
    # from its own stored list: the corpus has gained an entry since (the campaign's failure), which
    # must not shift or add runs.
    two = os.path.join(tmp, "two")
    os.makedirs(two)
    for name in ("a-1.repro", "a-2.repro"):
        with open(os.path.join(two, name), "w") as f:
            f.write(good)
    r = os.path.join(tmp, "r.db")
    code, out, err = run("fuzz", "--scenario", BUG, "--runs", "1", "--db", r, "--corpus", two)
    con = sqlite3.connect(r)
    whole = con.execute("select policy from runs where parent is null order by id").fetchall()
    expect(code == 1 and whole == [("replay",), ("replay",), ("fifo",)], "two entries, then run 0: %s" % whole)
    con.execute("pragma foreign_keys = on")
    con.execute("delete from runs where id > 1")
    con.execute("update campaigns set progress = '{\"round\":0,\"item\":0,\"runs\":1,\"regressions\":1,"
                "\"failing_runs\":1,\"elapsed_ms\":0,\"done\":false}'")
    con.commit()
    con.close()
    code, out, err = run("fuzz", "--db", r, "--resume", "--corpus", two)
    resumed = sqlite3.connect(r).execute("select policy from runs where parent is null order by id").fetchall()
    expect(code == 1 and resumed == whole, "--resume runs the second entry and run 0, nothing twice: %s" % resumed)
    expect("1 of this campaign's scenarios (and shard) left to re-run" in err, "... and says one entry is left: %s" % err)

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
