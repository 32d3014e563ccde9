#!/usr/bin/env python3
"""Simulated messages per second next to CPython asyncio over real loopback sockets.

usage: net_compare.py [--bench build/bench/bench_net] [--python PATH] [--scale S]

Runs bench_net (N1: one echo connection, N2: 64 at once, on corosim's simulated network) and
net_baseline.py (the same exchange in CPython asyncio over 127.0.0.1 TCP), and prints messages
per second (wall) for both, the ratio, and CPU time per message. The CPython side defaults to
3.12.1 from pyenv when present, else the python3 running this script.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NAMES = {"N1": "N1_echo_one_connection", "N2": "N2_echo_64_connections"}
UNIT_S = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
sys.path.insert(0, HERE)
from compare import default_python  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default=os.path.join(ROOT, "build", "bench", "bench_net"))
    ap.add_argument("--python", default=default_python())
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args()
    if not os.path.exists(args.bench):
        ap.error("benchmark binary not found: %s (build first)" % args.bench)
    env = dict(os.environ, COROSIM_BENCH_SCALE=str(args.scale))
    out = subprocess.run([args.bench, "--benchmark_format=json"], capture_output=True, text=True, env=env,
                         check=True).stdout
    ours = {}
    for b in json.loads(out)["benchmarks"]:
        for wid, name in NAMES.items():
            if b["name"].startswith(name + "/"):
                cpu_s = b["cpu_time"] * UNIT_S[b["time_unit"]]
                ours[wid] = (b["items_per_s"], cpu_s / b["items"] * 1e6)
    out = subprocess.run([args.python, os.path.join(HERE, "net_baseline.py"), "--json", "--scale", str(args.scale)],
                         capture_output=True, text=True, check=True).stdout
    theirs = {w: (v["per_s"], v["cpu_seconds"] / v["items"] * 1e6) for w, v in json.loads(out).items()}
    version = subprocess.run([args.python, "--version"], capture_output=True, text=True).stdout.strip()
    print("corosim simulated network vs %s asyncio over loopback TCP, scale=%g" % (version, args.scale))
    print("%-26s %18s %18s %9s %12s %12s" % ("workload", "corosim msgs/s", "CPython msgs/s", "ratio",
                                             "corosim CPU us", "CPython CPU us"))
    for w, name in NAMES.items():
        (c, c_us), (p, p_us) = ours[w], theirs[w]
        print("%-26s %18s %18s %8.1fx %12.3f %12.3f" % (name, "{:,.0f}".format(c), "{:,.0f}".format(p), c / p,
                                                      c_us, p_us))
    return 0


if __name__ == "__main__":
    sys.exit(main())
