"""The fuzzer's own speed (issue 6): runs per second per core on a tiny scenario with tracing
off and passing runs not stored, and events per second persisted into SQLite.

usage: fuzz_throughput.py [--corosim build/cli/corosim] [--bench-store build/bench/bench_store]
                          [--runs 200000] [--json]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fuzz_rate(corosim, runs, jobs):
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([corosim, "fuzz", "--scenario", "tiny_pair", "--runs", str(runs), "--record", "none",
                        "--no-shrink", "--jobs", str(jobs), "--db", os.path.join(tmp, "t.db")],
                       check=True, capture_output=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"runs": runs, "jobs": jobs, "wall_s": wall, "cpu_s": cpu,
            "runs_per_s": runs / wall, "runs_per_s_per_core": runs / cpu}


def store_rate(bench):
    out = subprocess.run([bench, "--benchmark_format=json"], check=True, capture_output=True, text=True).stdout
    b = json.loads(out)["benchmarks"][0]
    return {"events_per_s": b["events_per_s"], "events_per_run": b["events_per_run"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corosim", default=os.path.join(ROOT, "build", "cli", "corosim"))
    ap.add_argument("--bench-store", default=os.path.join(ROOT, "build", "bench", "bench_store"))
    ap.add_argument("--runs", type=int, default=200000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result = {"fuzz_jobs1": fuzz_rate(args.corosim, args.runs, 1), "fuzz_jobs2": fuzz_rate(args.corosim, args.runs, 2),
              "store": store_rate(args.bench_store)}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for key in ("fuzz_jobs1", "fuzz_jobs2"):
        r = result[key]
        print("fuzz tiny_pair, --jobs %d: %d runs in %.2f s wall, %.2f s CPU: %s runs/s, %s runs/s per core"
              % (r["jobs"], r["runs"], r["wall_s"], r["cpu_s"], "{:,.0f}".format(r["runs_per_s"]),
                 "{:,.0f}".format(r["runs_per_s_per_core"])))
    s = result["store"]
    print("store: %s events/s persisted (%d events per run, batches of 100 runs per transaction)"
          % ("{:,.0f}".format(s["events_per_s"]), s["events_per_run"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
