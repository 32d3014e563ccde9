"""The fuzzer's own speed (issues 6 and 15): runs per second of `corosim fuzz` on tiny scenarios
with tracing off and passing runs not stored, set against the same runs made in process (one
fresh loop per run, no worker, no store: bench/bench_runs.cpp), and events per second persisted
into SQLite. Rates in CPU time (the parent's and the workers' together) and in wall time; each
pair is measured `--rounds` times interleaved and the medians are reported. `--baseline` adds
`fuzz --jobs 1` of another build (say, before a change) to the same rounds.

usage: fuzz_throughput.py [--corosim build/cli/corosim] [--bench-runs build/bench/bench_runs]
                          [--bench-store build/bench/bench_store] [--runs 200000] [--rounds 3]
                          [--scenarios tiny_group,tiny_pair] [--baseline OTHER/corosim] [--json]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fuzz_rate(corosim, scenario, runs, jobs):
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([corosim, "fuzz", "--scenario", scenario, "--runs", str(runs), "--record", "none",
                        "--no-shrink", "--jobs", str(jobs), "--db", os.path.join(tmp, "t.db")],
                       check=True, capture_output=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"runs_per_s": runs / wall, "runs_per_cpu_s": runs / cpu}


def inprocess_rate(bench, scenario):
    out = subprocess.run([bench, "--benchmark_format=json", "--benchmark_filter=BM_InProcess/%s/" % scenario],
                         check=True, capture_output=True, text=True).stdout
    b = json.loads(out)["benchmarks"][0]
    per_iteration = b["items_per_second"] * b["cpu_time"] / 1e3  # time_unit: ms
    return {"runs_per_s": per_iteration / (b["real_time"] / 1e3), "runs_per_cpu_s": b["items_per_second"]}


def store_rate(bench):
    out = subprocess.run([bench, "--benchmark_format=json"], check=True, capture_output=True, text=True).stdout
    b = json.loads(out)["benchmarks"][0]
    return {"events_per_s": b["events_per_s"], "events_per_run": b["events_per_run"]}


def medians(samples):
    return {k: statistics.median(s[k] for s in samples) for k in samples[0]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corosim", default=os.path.join(ROOT, "build", "cli", "corosim"))
    ap.add_argument("--bench-runs", default=os.path.join(ROOT, "build", "bench", "bench_runs"))
    ap.add_argument("--bench-store", default=os.path.join(ROOT, "build", "bench", "bench_store"))
    ap.add_argument("--runs", type=int, default=200000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scenarios", default="tiny_group,tiny_pair")
    ap.add_argument("--baseline", help="another corosim whose fuzz --jobs 1 is measured in the same rounds")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result = {}
    for scenario in args.scenarios.split(","):
        samples = {"in_process": [], "jobs1": [], "jobs2": []}
        if args.baseline:
            samples["baseline_jobs1"] = []
        for _ in range(args.rounds):
            samples["in_process"].append(inprocess_rate(args.bench_runs, scenario))
            if args.baseline:
                samples["baseline_jobs1"].append(fuzz_rate(args.baseline, scenario, args.runs, 1))
            samples["jobs1"].append(fuzz_rate(args.corosim, scenario, args.runs, 1))
            samples["jobs2"].append(fuzz_rate(args.corosim, scenario, args.runs, 2))
        r = {k: medians(v) for k, v in samples.items()}
        r["ratio_cpu"] = r["jobs1"]["runs_per_cpu_s"] / r["in_process"]["runs_per_cpu_s"]
        r["ratio_wall"] = r["jobs1"]["runs_per_s"] / r["in_process"]["runs_per_s"]
        if args.baseline:
            r["baseline_ratio_cpu"] = r["baseline_jobs1"]["runs_per_cpu_s"] / r["in_process"]["runs_per_cpu_s"]
            r["baseline_ratio_wall"] = r["baseline_jobs1"]["runs_per_s"] / r["in_process"]["runs_per_s"]
        result[scenario] = r
    result["store"] = store_rate(args.bench_store)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    n = "{:,.0f}".format
    for scenario in args.scenarios.split(","):
        r = result[scenario]
        for key, what in (("in_process", "in process"), ("baseline_jobs1", "baseline fuzz --jobs 1"),
                          ("jobs1", "fuzz --jobs 1"), ("jobs2", "fuzz --jobs 2")):
            if key not in r:
                continue
            print("%s, %s: %s runs per CPU-second, %s runs/s wall" % (scenario, what, n(r[key]["runs_per_cpu_s"]),
                                                                     n(r[key]["runs_per_s"])))
        if args.baseline:
            print("%s: baseline fuzz --jobs 1 / in process = %.0f%% (CPU), %.0f%% (wall)"
                  % (scenario, 100 * r["baseline_ratio_cpu"], 100 * r["baseline_ratio_wall"]))
        print("%s: fuzz --jobs 1 / in process = %.0f%% (CPU), %.0f%% (wall)"
              % (scenario, 100 * r["ratio_cpu"], 100 * r["ratio_wall"]))
    s = result["store"]
    print("store: %s events/s persisted (%d events per run, batches of 100 runs per transaction)"
          % (n(s["events_per_s"]), s["events_per_run"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
