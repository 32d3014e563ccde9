"""The hint line under a failure that looks like a coroutine reading freed memory (issue 14):
run, run --json, fuzz and replay add one `hint:` line pointing at docs/troubleshooting.md for a
SIGSEGV crash and for std::bad_alloc / std::length_error escaping main; the failure's signature,
message and trace hash are the same as without it; a plain check failure gets no hint.

usage: test_hints.py PATH/TO/corosim_hostile SANITIZED(0|1)
"""
import json
import os
import subprocess
import sys
import tempfile

HOSTILE = sys.argv[1]
SANITIZED = len(sys.argv) > 2 and sys.argv[2] in ("1", "ON", "TRUE", "true")
failures = []


def run(*args):
    p = subprocess.run([HOSTILE, *args], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


CASES = [(["bad_size", "--param", "which=0"], "error", "CppException('std::bad_alloc')", "#a-const-stdstring"),
         (["bad_size", "--param", "which=1"], "error", "CppException('basic_string::", "#a-const-stdstring")]
if not SANITIZED:  # ASan reports a SIGSEGV itself and exits instead of dying of the signal
    CASES.append((["segfault"], "crash", "signal 11", "#a-capturing-coroutine-lambda"))

for args, outcome, text, anchor in CASES:
    rc, out, err = run("run", *args, "--json")
    j = json.loads(out)
    expect(rc == 1 and j["outcome"] == outcome and text in j["message"], "%s: %r" % (args, out))
    expect(j.get("hint", "").startswith("hint: ") and "docs/troubleshooting.md" + anchor in j["hint"],
           "%s: the JSON verdict has the hint: %r" % (args, j.get("hint")))
    expect("hint" not in j["signature"] and "troubleshooting" not in j["message"],
           "%s: the hint is not in the signature or the message: %r" % (args, j))
    rc, out, err = run("run", *args)
    hints = [l for l in out.splitlines() if l.strip().startswith("hint: ")]
    expect(len(hints) == 1 and anchor in hints[0], "%s: run prints one hint line: %r" % (args, out))
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "h.db")
        rc, out, err = run("fuzz", "--scenario", args[0], "--runs", "1", "--db", db, "--no-shrink")
        expect(rc == 1 and sum("hint: " in l for l in out.splitlines()) == 1, "%s: fuzz prints the hint: %r" % (args, out))
        rc, out, err = run("run", *args, "--db", db, "--json")
        stored = json.loads(out)
        rc, out, err = run("replay", "--db", db, "--run", str(stored["run_id"]))
        expect(rc == 0 and out.startswith("reproduced") and "hint: " in out, "%s: replay reproduces, with the hint: %r %r" % (args, out, err))
        expect(stored["trace_hash"] == j["trace_hash"], "%s: same trace hash" % (args,))

rc, out, err = run("run", "odd_param", "--param", "we\"ird\\name=7", "--json")
j = json.loads(out)
expect(rc == 1 and j["outcome"] == "fail" and "hint" not in j, "a check failure has no hint: %r" % out)

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
