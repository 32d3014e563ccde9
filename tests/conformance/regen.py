#!/usr/bin/env python3
"""Regenerate (or check) the conformance goldens with CPython 3.11, 3.12 and 3.13.

Every programs/NAME.py is run with its DEFAULTS under the reference
interpreters through refloop.py.  CPython 3.12's trace is goldens/NAME.trace;
3.11's and 3.13's are goldens/3.11/NAME.trace and goldens/3.13/NAME.trace,
kept only where they differ from 3.12's (corosim's `--python 3.11` must print
the version's own golden if there is one, else the 3.12 one).

The in-process rule tests of tests/sim compare with goldens too:
tests/sim/programs/NAME.py gives tests/sim/goldens/NAME.trace, made by CPython
3.12 only (those gtests run corosim's default, 3.12).

Usage:
    regen.py [--check] [--python PATH] [--version 3.11|3.12|3.13 ...]

The interpreters are pyenv's /root/.pyenv/versions/{3.11.7,3.12.1,3.13.0};
3.12's can be overridden with --python or $COROSIM_REF_PYTHON, and any with
$COROSIM_REF_PYTHON_3_11 / _3_12 / _3_13.  A version whose interpreter is
missing is skipped (with a note), but never 3.12 silently: without it the
exit is 77 (ctest's "skipped").  With --check nothing is written: exit 0 if
every golden matches, 1 (with a unified diff) if any differs or is missing or
stale.  Runs under any python3 >= 3.9.
"""

import argparse
import difflib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS_DIR = os.path.join(HERE, "programs")
GOLDENS_DIR = os.path.join(HERE, "goldens")
SIM_DIR = os.path.join(os.path.dirname(HERE), "sim")
REFLOOP = os.path.join(HERE, "refloop.py")
DEFAULT_PYTHON = "/root/.pyenv/versions/3.12.1/bin/python3"
# The interpreter that makes each version's goldens.
VERSION_PYTHONS = {
    "3.11": "/root/.pyenv/versions/3.11.7/bin/python3",
    "3.12": DEFAULT_PYTHON,
    "3.13": "/root/.pyenv/versions/3.13.0/bin/python3",
}
BASE = "3.12"  # its goldens are goldens/NAME.trace; the others' only where they differ
SKIP = 77


class Suite:
    """A folder of programs and the folder of their goldens."""

    def __init__(self, programs_dir, goldens_dir, versions):
        self.programs_dir = programs_dir
        self.goldens_dir = goldens_dir
        self.versions = versions  # None: every version

    def covers(self, version):
        return self.versions is None or version in self.versions

    def programs(self):
        return sorted(name[:-3] for name in os.listdir(self.programs_dir)
                      if name.endswith(".py") and not name.startswith("_"))

    def program_path(self, name):
        return os.path.join(self.programs_dir, name + ".py")

    def golden_path(self, version, name):
        if version == BASE:
            return os.path.join(self.goldens_dir, name + ".trace")
        return os.path.join(self.goldens_dir, version, name + ".trace")


SUITES = [
    Suite(PROGRAMS_DIR, GOLDENS_DIR, None),
    # The gtests of tests/sim run under the default version only.
    Suite(os.path.join(SIM_DIR, "programs"), os.path.join(SIM_DIR, "goldens"), {BASE}),
]


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


def run_program(python, name, path):
    proc = subprocess.run([python, "-B", REFLOOP, path],
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


def rel(path):
    return os.path.relpath(path, os.path.dirname(HERE))  # from tests/


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def interpreter_for(version, override):
    if version == BASE and override:
        return override
    env = "COROSIM_REF_PYTHON_" + version.replace(".", "_")
    if os.environ.get(env):
        return os.environ[env]
    if version == BASE and os.environ.get("COROSIM_REF_PYTHON"):
        return os.environ["COROSIM_REF_PYTHON"]
    return VERSION_PYTHONS[version]


def check_interpreter(version, python):
    """The full version of `python` if it is CPython `version`, else None (with a note)."""
    found = interpreter_version(python)
    if found is None:
        print("skipped: CPython %s not found at %s" % (version, python))
        return None
    impl, _, ver = found.partition(" ")
    if impl != "CPython" or not ver.startswith(version + "."):
        print("skipped: CPython %s not found at %s (it is %s)" % (version, python, found))
        return None
    return ver


def run_suite(suite, version, python, ver, names, base_traces, check):
    """Regenerates (or with `check` compares) one suite's goldens for one version;
    True if something failed or differs."""
    failed = False
    golden_path = suite.golden_path
    for name in names:
        text = run_program(python, name, suite.program_path(name))
        if text is None:
            failed = True
            continue
        path = golden_path(version, name)
        key = (suite.goldens_dir, name)
        if version == BASE:
            base_traces[key] = text
            base = None
        else:
            base = base_traces.get(key)
            if base is None:
                base_path = golden_path(BASE, name)
                base = read(base_path) if os.path.exists(base_path) else None
        # A version's own golden exists only where its trace differs from 3.12's.
        wanted = None if base is not None and text == base else text
        old = read(path) if os.path.exists(path) else None
        if check:
            expected = old if old is not None else (base if version != BASE else None)
            if expected != text or (wanted is None and old is not None):
                failed = True
                sys.stdout.writelines(difflib.unified_diff(
                    (expected or "").splitlines(True), text.splitlines(True),
                    rel(path if old is not None or version == BASE else golden_path(BASE, name)),
                    "%s (CPython %s)" % (name, ver)))
                if wanted is None and old is not None:
                    print("regen: %s is the same as 3.12's: remove it" % rel(path))
                elif old is None and version == BASE:
                    print("regen: %s is missing" % rel(path))
        elif wanted is None:
            if old is not None:
                os.remove(path)
                print("removed %s (same as 3.12's)" % rel(path))
        elif old != wanted:
            write(path, wanted)
            print("wrote %s (%d lines)" % (rel(path), wanted.count("\n")))

    folder = os.path.dirname(golden_path(version, "x"))
    stale = []
    if os.path.isdir(folder):
        stale = sorted(f[:-6] for f in os.listdir(folder)
                       if f.endswith(".trace") and f[:-6] not in names)
    for name in stale:
        print("regen: %s has no program (%s)"
              % (rel(golden_path(version, name)), rel(suite.program_path(name))))
        if check:
            failed = True
    return failed


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="compare with the committed goldens instead of writing")
    ap.add_argument("--python", default=None,
                    help="3.12 reference interpreter (default $COROSIM_REF_PYTHON or %s)"
                         % DEFAULT_PYTHON)
    ap.add_argument("--version", action="append", choices=sorted(VERSION_PYTHONS),
                    help="only this version (repeatable; default all)")
    args = ap.parse_args(argv)
    versions = args.version or sorted(VERSION_PYTHONS)

    pythons = {}
    for version in versions:
        ver = check_interpreter(version, interpreter_for(version, args.python))
        if ver is not None:
            pythons[version] = (interpreter_for(version, args.python), ver)
    if BASE in versions and BASE not in pythons:
        return SKIP  # the other versions' goldens are kept relative to 3.12's
    if not pythons:
        return SKIP

    failed = False
    base_traces = {}
    # 3.12 first: the others are compared with (or kept only where they differ from) it.
    for version in sorted(pythons, key=lambda v: (v != BASE, v)):
        python, ver = pythons[version]
        count = 0
        for suite in SUITES:
            if not suite.covers(version):
                continue
            names = suite.programs()
            count += len(names)
            failed |= run_suite(suite, version, python, ver, names, base_traces, args.check)
        if args.check and not failed:
            print("ok: %d programs match CPython %s" % (count, ver))

    if failed:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
