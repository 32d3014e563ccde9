"""Heap bytes per live task on CPython asyncio: the M1/M2 workloads of bench/bench_memory.cpp.

usage: memory_baseline.py [--n N] [--json]

M1: N tasks created and not run yet; M2: N tasks suspended in asyncio.sleep(1). Bytes come
from tracemalloc (every allocation the interpreter makes, including the event loop's handles,
timers and the tasks' frames), measured from before the first create_task to after the last.
Python 3 standard library only.
"""
import argparse
import asyncio
import json
import sys
import tracemalloc


async def nop():
    pass


async def sleeper():
    await asyncio.sleep(1)


async def trivial(n):
    before = tracemalloc.get_traced_memory()[0]
    tasks = [asyncio.create_task(nop()) for _ in range(n)]
    per_task = (tracemalloc.get_traced_memory()[0] - before) / n
    await asyncio.gather(*tasks)
    return per_task


async def sleeping(n):
    before = tracemalloc.get_traced_memory()[0]
    tasks = [asyncio.create_task(sleeper()) for _ in range(n)]
    await asyncio.sleep(0)
    per_task = (tracemalloc.get_traced_memory()[0] - before) / n
    await asyncio.gather(*tasks)
    return per_task


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    tracemalloc.start()
    result = {"M1": asyncio.run(trivial(args.n)), "M2": asyncio.run(sleeping(args.n))}
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print("%s %.0f bytes per task" % (k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
