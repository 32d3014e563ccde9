#!/usr/bin/env python3
"""Regenerate (or check) the conformance goldens with CPython 3.12.

Every programs/NAME.py is run with its DEFAULTS under the reference
interpreter through refloop.py, and its trace is written to
goldens/NAME.trace.

Usage:
    regen.py [--check] [--python PATH]

The interpreter is --python, else $COROSIM_REF_PYTHON, else
/root/.pyenv/versions/3.12.1/bin/python3.  With --check nothing is written:
exit 0 if every golden matches, 1 (with a unified diff) if any differs or is
missing or stale.  Exit 77 (ctest's "skipped") if the interpreter is missing
or is not CPython 3.12.  Runs under any python3 >= 3.9.
"""

import argparse
import difflib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS_DIR = os.path.join(HERE, "programs")
GOLDENS_DIR = os.path.join(HERE, "goldens")
REFLOOP = os.path.join(HERE, "refloop.py")
DEFAULT_PYTHON = "/root/.pyenv/versions/3.12.1/bin/python3"
SKIP = 77


def programs():
    return sorted(name[:-3] for name in os.listdir(PROGRAMS_DIR)
                  if name.endswith(".py") and not name.startswith("_"))


def clean_env():
    """The environment for reference runs: no PYTHON* settings that could
    change behaviour (debug mode, warnings, dev mode), a fixed hash seed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def interpreter_version(python):
    """'3.12.1' style version of `python`, or None if it cannot run."""
    if not (os.path.isfile(python) and os.access(python, os.X_OK)):
        return None
    try:
        out = subprocess.run(
            [python, "-c", "import platform, sys; print(platform.python_implementation(),"
                           " '%d.%d.%d' % sys.version_info[:3])"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=True, timeout=60, env=clean_env())
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip()


def run_program(python, name):
    proc = subprocess.run([python, "-B", REFLOOP, name],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=300, env=clean_env(),
                          cwd=HERE)
    if proc.returncode != 0:
        sys.stderr.write("regen: %s failed (exit %d):\n%s"
                         % (name, proc.returncode, proc.stderr))
        return None
    if proc.stderr:
        # Anything on stderr (a logged error, a traceback printed by a hook)
        # would be missing from the trace: refuse to make a golden from it.
        sys.stderr.write("regen: %s wrote to stderr:\n%s" % (name, proc.stderr))
        return None
    return proc.stdout


def read(path):
    with open(path, "r", encoding="utf-8", newline="") as f:
        return f.read()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="compare with the committed goldens instead of writing")
    ap.add_argument("--python", default=None,
                    help="reference interpreter (default $COROSIM_REF_PYTHON or %s)"
                         % DEFAULT_PYTHON)
    args = ap.parse_args(argv)
    python = args.python or os.environ.get("COROSIM_REF_PYTHON") or DEFAULT_PYTHON

    version = interpreter_version(python)
    if version is None:
        print("skipped: CPython 3.12 not found at %s" % python)
        return SKIP
    impl, _, ver = version.partition(" ")
    if impl != "CPython" or not ver.startswith("3.12."):
        print("skipped: CPython 3.12 not found at %s (it is %s)" % (python, version))
        return SKIP

    names = programs()
    failed = False
    for name in names:
        text = run_program(python, name)
        if text is None:
            failed = True
            continue
        golden = os.path.join(GOLDENS_DIR, name + ".trace")
        if args.check:
            old = read(golden) if os.path.exists(golden) else ""
            if old != text:
                failed = True
                sys.stdout.writelines(difflib.unified_diff(
                    old.splitlines(True), text.splitlines(True),
                    "goldens/%s.trace" % name,
                    "%s (CPython %s)" % (name, ver)))
                if not old:
                    print("regen: goldens/%s.trace is missing" % name)
        else:
            if not os.path.isdir(GOLDENS_DIR):
                os.makedirs(GOLDENS_DIR)
            with open(golden, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            print("wrote goldens/%s.trace (%d lines)" % (name, text.count("\n")))

    stale = sorted(f[:-6] for f in os.listdir(GOLDENS_DIR)
                   if f.endswith(".trace") and f[:-6] not in names) \
        if os.path.isdir(GOLDENS_DIR) else []
    for name in stale:
        print("regen: goldens/%s.trace has no program (programs/%s.py)" % (name, name))
        if args.check:
            failed = True

    if failed:
        return 1
    if args.check:
        print("ok: %d goldens match CPython %s" % (len(names), ver))
    return 0


if __name__ == "__main__":
    sys.exit(main())
