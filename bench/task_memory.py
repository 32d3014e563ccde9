"""Heap bytes per live task, corosim beside CPython asyncio (issue 15's memory bar).

usage: task_memory.py [--bench build/bench/bench_memory] [--python PATH] [--scale S] [--json]

M1: tasks created and not run yet; M2: tasks suspended in sleep(1 s). corosim's figure is
malloc's bytes in use (mallinfo2) from before the first create_task to after the last (M2:
after every task took its first step), each benchmark in a fresh process; CPython's is
tracemalloc's (bench/memory_baseline.py). The bar: <= 300 bytes (M1), <= 450 bytes (M2).
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NAMES = {"M1": "M1_trivial_task", "M2": "M2_sleeping_task"}
BAR = {"M1": 300, "M2": 450}


def default_python():
    ref = os.path.join(os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv")), "versions", "3.12.1",
                       "bin", "python3")
    return ref if os.path.exists(ref) else sys.executable


def corosim_bytes(bench, scale):
    env = dict(os.environ, COROSIM_BENCH_SCALE=str(scale))
    out = {}
    for wid, name in NAMES.items():
        text = subprocess.run([bench, "--benchmark_format=json", "--benchmark_filter=^" + name + "/"],
                              capture_output=True, text=True, env=env, check=True).stdout
        (b,) = [b for b in json.loads(text)["benchmarks"] if b["name"].startswith(name)]
        if b.get("error_occurred"):
            raise SystemExit("task_memory.py: %s failed: %s" % (name, b.get("error_message")))
        out[wid] = (b["bytes_per_task"], int(b["tasks"]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default=os.path.join(ROOT, "build", "bench", "bench_memory"))
    ap.add_argument("--python", default=default_python())
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not os.path.exists(args.bench):
        ap.error("benchmark binary not found: %s (build first: scripts/build.sh)" % args.bench)
    ours = corosim_bytes(args.bench, args.scale)
    n = ours["M1"][1]
    theirs = json.loads(subprocess.run([args.python, os.path.join(HERE, "memory_baseline.py"), "--json", "--n",
                                        str(n)], capture_output=True, text=True, check=True).stdout)
    result = {w: {"corosim_bytes": ours[w][0], "cpython_bytes": theirs[w], "bar": BAR[w]} for w in NAMES}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    version = subprocess.run([args.python, "--version"], capture_output=True, text=True).stdout.strip()
    print("heap bytes per live task, %d tasks: corosim vs %s asyncio" % (n, version))
    print("%-20s %14s %14s %8s %8s" % ("workload", "corosim", "CPython", "ratio", "bar"))
    for w, name in NAMES.items():
        r = result[w]
        print("%-20s %14.0f %14.0f %7.2fx %8s" % (name, r["corosim_bytes"], r["cpython_bytes"],
                                                 r["corosim_bytes"] / r["cpython_bytes"],
                                                 "<= %d" % r["bar"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
