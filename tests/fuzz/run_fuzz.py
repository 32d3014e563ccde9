#!/usr/bin/env python3
"""The fuzz ctest: replays every committed regression input of each parser fuzz target, then
fuzzes each target for a fixed short time from its seed corpus. A crash, leak, UB report or
timeout fails the test and leaves the input under WORK/<target>-artifacts/; commit it to
tests/fuzz/regressions/<target>/ once fixed (docs/fuzzing-the-parsers.md).

usage: run_fuzz.py --seconds N --work DIR SOURCE_DIR fuzz_binary...
"""
import argparse
import os
import re
import shutil
import subprocess
import sys


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    return proc.returncode, proc.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--work", required=True)
    ap.add_argument("source")
    ap.add_argument("binaries", nargs="+")
    args = ap.parse_args()
    failed = []
    for binary in args.binaries:
        target = os.path.basename(binary)[len("fuzz_"):]
        corpus = os.path.join(args.source, "corpus", target)
        regressions = os.path.join(args.source, "regressions", target)
        work = os.path.join(args.work, target)
        artifacts = work + "-artifacts" + os.sep
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        os.makedirs(artifacts, exist_ok=True)
        limits = ["-timeout=10", "-rss_limit_mb=2048", "-malloc_limit_mb=1024", "-artifact_prefix=" + artifacts]
        if os.path.isdir(regressions):
            files = sorted(os.path.join(regressions, f) for f in os.listdir(regressions))
            if files:
                rc, out = run([binary] + limits + files)
                print(f"{target}: {len(files)} regression inputs replayed, exit {rc}")
                if rc != 0:
                    print(out[-4000:])
                    failed.append(target + " (regressions)")
        if not os.path.isdir(corpus) or not os.listdir(corpus):
            print(f"{target}: no seed corpus at {corpus}")
            failed.append(target + " (no corpus)")
            continue
        # New inputs go to the scratch directory (first), never into the committed corpus.
        rc, out = run([binary, f"-max_total_time={args.seconds}", "-print_final_stats=1"] + limits + [work, corpus])
        execs = re.search(r"stat::number_of_executed_units:\s*(\d+)", out)
        rate = re.search(r"exec/s:\s*(\d+)", out.split("stat::")[0][-400:]) or re.search(r"stat::average_exec_per_sec:\s*(\d+)", out)
        cov = re.findall(r"cov: (\d+)", out)
        print(f"{target}: {execs.group(1) if execs else '?'} runs in {args.seconds}s"
              f" ({rate.group(1) if rate else '?'} exec/s), coverage {cov[-1] if cov else '?'} edges, exit {rc}")
        if rc != 0:
            print(out[-4000:])
            print(f"{target}: the failing input is under {artifacts}")
            failed.append(target)
    if failed:
        print("fuzz: FAILED: " + ", ".join(failed))
        return 1
    print("fuzz: all targets clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
