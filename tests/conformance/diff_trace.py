#!/usr/bin/env python3
"""Compare corosim's conformance trace of one program with its golden.

Usage:
    diff_trace.py --corosim BIN --program NAME [--python 3.11|3.12|3.13]

Runs ``BIN run NAME --policy fifo --trace`` (with ``--python V`` when given),
and compares its stdout with the golden line by line: goldens/V/NAME.trace
where that version has its own, else goldens/NAME.trace (CPython 3.12's).  Exit 0 if identical; 1 (printing a unified
diff) if they differ, or (printing its stderr) if corosim exits nonzero.
Runs under any python3 >= 3.9 (ctest uses the system one).
"""

import argparse
import difflib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDENS_DIR = os.path.join(HERE, "goldens")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corosim", required=True, help="path to the corosim binary")
    ap.add_argument("--program", required=True, help="scenario name, e.g. ping_pong")
    ap.add_argument("--goldens", default=GOLDENS_DIR,
                    help="goldens directory (default: %(default)s)")
    ap.add_argument("--python", default=None, choices=["3.11", "3.12", "3.13"],
                    help="the CPython version to reproduce (default: corosim's, 3.12)")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds before corosim is killed (default 120)")
    args = ap.parse_args(argv)

    golden_path = os.path.join(args.goldens, args.program + ".trace")
    if args.python and args.python != "3.12":
        own = os.path.join(args.goldens, args.python, args.program + ".trace")
        if os.path.exists(own):
            golden_path = own
    try:
        with open(golden_path, "r", encoding="utf-8") as f:
            golden = f.read().splitlines()
    except OSError as exc:
        print("diff_trace: cannot read golden %s: %s" % (golden_path, exc))
        return 1

    cmd = [args.corosim, "run", args.program, "--policy", "fifo", "--trace"]
    if args.python:
        cmd += ["--python", args.python]
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=args.timeout)
    except OSError as exc:
        print("diff_trace: cannot run %s: %s" % (args.corosim, exc))
        return 1
    except subprocess.TimeoutExpired:
        print("diff_trace: %s timed out after %gs" % (" ".join(cmd), args.timeout))
        return 1
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        print("diff_trace: %s exited with %d" % (" ".join(cmd), proc.returncode))
        sys.stdout.write(stderr)
        if stderr and not stderr.endswith("\n"):
            sys.stdout.write("\n")
        return 1
    actual = proc.stdout.decode("utf-8", "replace").splitlines()

    if actual == golden:
        print("ok: %s matches %s (%d lines)"
              % (args.program, os.path.relpath(golden_path, HERE), len(golden)))
        return 0
    for line in difflib.unified_diff(golden, actual,
                                     os.path.relpath(golden_path, HERE),
                                     " ".join(["corosim"] + cmd[1:]),
                                     lineterm=""):
        print(line)
    return 1


if __name__ == "__main__":
    sys.exit(main())
