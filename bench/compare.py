"""Run corosim's W1-W7 benchmarks and the same workloads on CPython asyncio, side by side.

usage: compare.py [--bench build/bench/bench_workloads] [--python PATH] [--scale S] [--json]

Prints items/s (wall) for both, the corosim/CPython ratio, and the CPU time per item on each
side (this machine is shared: wall time varies with the neighbours, CPU time much less); with
--json, one object keyed by workload: {"W1": {"corosim_per_s": ..., "cpython_per_s": ...,
"ratio": ..., "corosim_cpu_us": ..., "cpython_cpu_us": ...}, ...}. W7_10K, W7_100K and W7_1M
are one TaskGroup of 10k, 100k and 1M children: flat per-item cost means no quadratic step.
The CPython side defaults to 3.12.1 from pyenv when present (the semantics reference), else
the python3 running this script.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NAMES = {"W1": "W1_pingpong", "W2": "W2_yield_storm", "W3": "W3_spawn_join", "W4": "W4_timers",
         "W5": "W5_cancel_storm", "W6": "W6_asyncgen_chain", "W7_10K": "W7_taskgroup_children/10000",
         "W7_100K": "W7_taskgroup_children/100000", "W7_1M": "W7_taskgroup_children/1000000"}
UNIT_S = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def default_python():
    ref = os.path.expanduser("~/.pyenv/versions/3.12.1/bin/python3")
    root = os.environ.get("PYENV_ROOT")
    if root:
        ref = os.path.join(root, "versions", "3.12.1", "bin", "python3")
    return ref if os.path.exists(ref) else sys.executable


def run_corosim(bench, scale, only):
    env = dict(os.environ, COROSIM_BENCH_SCALE=str(scale))
    pattern = "|".join(NAMES[w] + "/" for w in only)
    out = subprocess.run([bench, "--benchmark_format=json", "--benchmark_filter=" + pattern],
                         capture_output=True, text=True, env=env, check=True).stdout
    rates = {}
    for b in json.loads(out)["benchmarks"]:
        for wid, name in NAMES.items():
            if b["name"].startswith(name + "/"):
                cpu_s = b["cpu_time"] * UNIT_S[b["time_unit"]]  # per iteration
                rates[wid] = (b["items_per_s"], cpu_s / b["items"] * 1e6)
    return rates


def run_cpython(python, scale, only):
    out = subprocess.run([python, os.path.join(HERE, "asyncio_baseline.py"), "--json", "--scale", str(scale),
                          "--only", ",".join(only)], capture_output=True, text=True, check=True).stdout
    return {wid: (v["per_s"], v["cpu_seconds"] / v["items"] * 1e6) for wid, v in json.loads(out).items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default=os.path.join(ROOT, "build", "bench", "bench_workloads"))
    ap.add_argument("--python", default=default_python())
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--only", default=",".join(NAMES))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    only = [w.strip().upper() for w in args.only.split(",") if w.strip()]
    bad = [w for w in only if w not in NAMES]
    if bad:
        ap.error("unknown workload(s): %s" % ",".join(bad))
    if not os.path.exists(args.bench):
        ap.error("benchmark binary not found: %s (build first: scripts/build.sh)" % args.bench)

    ours = run_corosim(args.bench, args.scale, only)
    theirs = run_cpython(args.python, args.scale, only)
    result = {}
    for w in only:
        (c, c_us), (p, p_us) = ours[w], theirs[w]
        result[w] = {"corosim_per_s": c, "cpython_per_s": p, "ratio": c / p if p else float("inf"),
                     "corosim_cpu_us": c_us, "cpython_cpu_us": p_us}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    version = subprocess.run([args.python, "--version"], capture_output=True, text=True).stdout.strip()
    print("corosim vs %s asyncio (virtual clock), scale=%g" % (version, args.scale))
    print("%-30s %16s %16s %10s %14s %14s" % ("workload", "corosim items/s", "CPython items/s", "ratio",
                                             "corosim CPU us", "CPython CPU us"))
    for w in only:
        r = result[w]
        print("%-30s %16s %16s %9.1fx %14.3f %14.3f" % (NAMES[w], "{:,.0f}".format(r["corosim_per_s"]),
                                                      "{:,.0f}".format(r["cpython_per_s"]), r["ratio"],
                                                      r["corosim_cpu_us"], r["cpython_cpu_us"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
