#!/usr/bin/env python3
"""CPython asyncio baseline for the corosim benchmarks (workloads W1-W7).

Runs the same workloads as corosim's Google Benchmark binary, in stock CPython
asyncio, on a virtual clock: the selector never blocks and instead advances
the loop's clock by the requested timeout.  Timers therefore cost no wall
time, and what is measured is CPython's scheduling machinery (tasks, futures,
handles, the timer heap, ``BaseEventLoop._run_once``), which is exactly what
corosim reimplements.

Standard library only; runs on any python3 >= 3.9.  The reference numbers are
taken with CPython 3.12.1.

Usage:
    asyncio_baseline.py [--scale F] [--repeat N] [--only W1,W3] [--json] [--list]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import platform
import random
import selectors
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --------------------------------------------------------------------------
# Virtual-clock event loop
# --------------------------------------------------------------------------

class _VirtualClockSelector(selectors.SelectSelector):
    """Selector whose select() never blocks; it advances a virtual clock.

    SelectSelector is subclassed only for its register/unregister bookkeeping
    (the loop registers its self-pipe at construction); its select() is never
    reached.  No syscall is made per loop iteration, so the baseline charges
    CPython only for its scheduling work, not for an epoll_wait(0) that
    corosim's virtual loop has no counterpart for.
    """

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def select(self, timeout=None):
        if timeout is None:
            # _run_once passes None only when nothing is ready or scheduled;
            # a real loop would sleep until I/O that can never arrive here.
            raise RuntimeError("virtual loop is idle with nothing scheduled "
                               "(would block forever)")
        if timeout > 0:
            self.now += timeout
        return []


class _FallbackVirtualLoop(asyncio.SelectorEventLoop):
    """Stock SelectorEventLoop with its clock replaced; _run_once untouched."""

    def __init__(self) -> None:
        self._virtual_selector = _VirtualClockSelector()
        super().__init__(self._virtual_selector)

    def time(self) -> float:
        return self._virtual_selector.now


def _check_virtual_loop(factory) -> None:
    """Raise unless ``factory()`` gives a usable virtual-clock CPython loop.

    This guards the comparison itself: a loop with an overridden _run_once
    would not be "CPython asyncio", and a loop on the real clock would make
    W4 take hours.  The 0.5 s sleep costs at most 0.5 s if the loop is real.
    """
    loop = factory()
    try:
        if not isinstance(loop, asyncio.BaseEventLoop):
            raise TypeError("not an asyncio.BaseEventLoop: %r" % (loop,))
        if type(loop)._run_once is not asyncio.BaseEventLoop._run_once:
            raise TypeError("%s overrides _run_once" % type(loop).__name__)
        t0_virtual, t0_wall = loop.time(), time.perf_counter()
        loop.run_until_complete(asyncio.sleep(0.5))
        advanced = loop.time() - t0_virtual
        wall = time.perf_counter() - t0_wall
        if advanced < 0.5 or wall > 0.25:
            raise RuntimeError("clock is not virtual (virtual +%.3fs, wall "
                               "%.3fs)" % (advanced, wall))
    finally:
        loop.close()


def _pick_loop_factory():
    """Return (factory, description).

    Prefer the conformance suite's reference loop so that the benchmarks and
    the conformance tests exercise the very same loop; fall back to the small
    implementation above if it is missing or misbehaves, so that the
    benchmark never depends on the test tree being in a particular state.
    """
    conformance_dir = os.path.join(REPO_ROOT, "tests", "conformance")
    sys.path.insert(0, conformance_dir)
    try:
        from refloop import new_virtual_loop  # type: ignore[import-not-found]
        _check_virtual_loop(new_virtual_loop)
        return new_virtual_loop, "refloop.new_virtual_loop"
    except Exception as exc:  # any failure in foreign code means: fall back
        reason = "%s: %s" % (type(exc).__name__, exc)
    finally:
        if conformance_dir in sys.path:
            sys.path.remove(conformance_dir)
    _check_virtual_loop(_FallbackVirtualLoop)
    return _FallbackVirtualLoop, "built-in fallback (refloop unusable: %s)" % reason


# --------------------------------------------------------------------------
# Workloads
#
# Each builder takes the scale and returns (items, make_coro, check) where
# make_coro() gives the coroutine that is timed and check(result, virtual_s)
# validates the run afterwards, outside the timed region (virtual_s is how far
# the loop's clock advanced during the run).
# --------------------------------------------------------------------------

def _scaled(count: int, scale: float) -> int:
    return max(1, int(round(count * scale)))


def build_w1(scale):
    """Ping-pong: n future handoffs between two tasks."""
    n = _scaled(1_000_000, scale)

    async def pingpong():
        loop = asyncio.get_running_loop()
        futs = [loop.create_future(), loop.create_future()]
        received = [0, 0]

        # Handoff k is set by player k % 2 and awaited by the other one, so
        # each player alternates hit/wait n times.  The receiver replaces its
        # own future before hitting back, hence the hitter always finds a
        # fresh, pending future.
        async def player(me, hit):
            other = 1 - me
            for _ in range(n):
                if hit:
                    futs[other].set_result(None)
                else:
                    await futs[me]
                    futs[me] = loop.create_future()
                    received[me] += 1
                hit = not hit

        a = asyncio.create_task(player(0, True))
        b = asyncio.create_task(player(1, False))
        await a
        await b
        return received[0] + received[1]

    def check(result, virtual_s):
        assert result == n, (result, n)

    return n, pingpong, check


def build_w2(scale):
    """Yield storm: 1,000 tasks each doing k `await asyncio.sleep(0)`."""
    # Scale the per-task count, not the task count: the 1,000-wide ready
    # queue is what characterises this workload.
    n_tasks = 1_000
    n_sleeps = _scaled(1_000, scale)
    done = [0]

    async def worker():
        for _ in range(n_sleeps):
            await asyncio.sleep(0)
        done[0] += 1

    async def storm():
        tasks = [asyncio.create_task(worker()) for _ in range(n_tasks)]
        for t in tasks:
            await t

    def check(result, virtual_s):
        assert done[0] == n_tasks, (done[0], n_tasks)

    return n_tasks * n_sleeps, storm, check


def build_w3(scale):
    """Spawn/join: n trivial tasks, created and awaited in batches of 1,000."""
    n = _scaled(1_000_000, scale)
    batch = 1_000

    async def nop():
        return 1

    async def spawn_join():
        total = 0
        for start in range(0, n, batch):
            tasks = [asyncio.create_task(nop())
                     for _ in range(min(batch, n - start))]
            for t in tasks:
                total += await t
        return total

    def check(result, virtual_s):
        assert result == n, (result, n)

    return n, spawn_join, check


def build_w4(scale):
    """Timers: n tasks sleeping distinct pseudo-random durations."""
    n = _scaled(100_000, scale)
    max_ms = 10_000_000
    if n > max_ms:
        raise ValueError("W4: %d tasks need more than %d distinct durations"
                         % (n, max_ms))
    # sample() guarantees distinct values, so every timer fires in its own
    # loop iteration (1 ms apart is far above the clock resolution).
    durations = [ms / 1000.0
                 for ms in random.Random(42).sample(range(1, max_ms + 1), n)]

    async def timers():
        tasks = [asyncio.create_task(asyncio.sleep(d)) for d in durations]
        for t in tasks:
            await t

    def check(result, virtual_s):
        # Proves the timers really were waited for on the virtual clock.
        assert virtual_s >= max(durations), (virtual_s, max(durations))

    return n, timers, check


def build_w5(scale):
    """Cancel storm: n tasks cancelled while awaiting inside try/finally whose
    cleanup awaits once more."""
    n = _scaled(100_000, scale)

    async def worker():
        try:
            await asyncio.sleep(3600)
        finally:
            await asyncio.sleep(0)

    async def cancel_storm():
        tasks = [asyncio.create_task(worker()) for _ in range(n)]
        await asyncio.sleep(0)  # every worker starts and suspends in its body
        for t in tasks:
            t.cancel()
        done, _ = await asyncio.wait(tasks)
        return sum(1 for t in done if t.cancelled())

    def check(result, virtual_s):
        assert result == n, (result, n)

    return n, cancel_storm, check


def build_w6(scale):
    """Async generator chain: n items pulled through map(filter(source))."""
    n = _scaled(1_000_000, scale)

    async def source():
        for i in range(n):
            yield i

    async def keep(src):
        async for v in src:
            if v % 3 != 0:
                yield v

    async def double(src):
        async for v in src:
            yield v * 2

    async def chain():
        count = total = 0
        async for v in double(keep(source())):
            count += 1
            total += v
        return count, total

    def check(result, virtual_s):
        count = sum(1 for i in range(n) if i % 3 != 0)
        assert result == (count, sum(2 * i for i in range(n) if i % 3 != 0)), result

    return n, chain, check


def build_w7(n_children):
    """TaskGroup scaling: n trivial children in one TaskGroup (stock TaskGroup,
    whose ``_tasks`` is a set: O(1) discard per child)."""
    def build(scale):
        n = _scaled(n_children, scale)
        if not hasattr(asyncio, "TaskGroup"):
            raise RuntimeError("W7 needs asyncio.TaskGroup (Python >= 3.11)")

        async def nop():
            return 1

        async def children():
            async with asyncio.TaskGroup() as tg:
                tasks = [tg.create_task(nop()) for _ in range(n)]
            return sum(t.result() for t in tasks)

        def check(result, virtual_s):
            assert result == n, (result, n)

        return n, children, check
    return build


WORKLOADS = {
    "W1": ("pingpong", build_w1),
    "W2": ("yield_storm", build_w2),
    "W3": ("spawn_join", build_w3),
    "W4": ("timers", build_w4),
    "W5": ("cancel_storm", build_w5),
    "W6": ("asyncgen_chain", build_w6),
    "W7_10K": ("taskgroup_children", build_w7(10_000)),
    "W7_100K": ("taskgroup_children", build_w7(100_000)),
    "W7_1M": ("taskgroup_children", build_w7(1_000_000)),
}


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def measure(loop_factory, builder, scale, repeat):
    """Best-of-`repeat` wall and CPU time of run_until_complete; returns
    (items, wall_s, cpu_s)."""
    best = math.inf
    best_cpu = math.inf
    items = 0
    for _ in range(repeat):
        items, make_coro, check = builder(scale)
        # A fresh loop per run keeps runs independent (empty timer heap, clock
        # at zero); collecting first keeps the previous run's garbage off
        # this run's bill.
        loop = loop_factory()
        try:
            gc.collect()
            coro = make_coro()
            v0 = loop.time()
            t0 = time.perf_counter()
            c0 = time.process_time()
            result = loop.run_until_complete(coro)
            cpu = time.process_time() - c0
            elapsed = time.perf_counter() - t0
            check(result, loop.time() - v0)
        finally:
            loop.close()
        best = min(best, elapsed)
        best_cpu = min(best_cpu, cpu)
    return items, best, best_cpu


def parse_only(text):
    if text is None:
        return list(WORKLOADS)
    wanted = [w.strip().upper() for w in text.split(",") if w.strip()]
    unknown = [w for w in wanted if w not in WORKLOADS]
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(
            "unknown workload(s) %s; available: %s"
            % (",".join(unknown) or "(none given)", ",".join(WORKLOADS)))
    # Keep the canonical order whatever order the user typed.
    return [w for w in WORKLOADS if w in wanted]


def positive_float(text):
    value = float(text)
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return value


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="CPython asyncio baseline for corosim (virtual clock).")
    ap.add_argument("--scale", type=positive_float, default=1.0,
                    help="multiply workload counts (e.g. 0.01 for a smoke "
                         "run; default 1)")
    ap.add_argument("--repeat", type=positive_int, default=1,
                    help="report the best of N runs (default 1)")
    ap.add_argument("--only", metavar="W1,W3",
                    help="comma-separated workloads to run (default all)")
    ap.add_argument("--json", action="store_true",
                    help="print one JSON object instead of a table")
    ap.add_argument("--list", action="store_true",
                    help="print the available workload ids and exit")
    args = ap.parse_args(argv)

    if args.list:
        for wid in WORKLOADS:
            print(wid)
        return 0
    try:
        selected = parse_only(args.only)
    except argparse.ArgumentTypeError as exc:
        ap.error("--only: %s" % exc)

    loop_factory, loop_desc = _pick_loop_factory()
    header = "%s %s asyncio, virtual loop: %s, scale=%g, repeat=%d" % (
        platform.python_implementation(), platform.python_version(),
        loop_desc, args.scale, args.repeat)
    if args.json:
        # stdout must stay pure JSON; compare.py picks this line up.
        print("virtual loop: %s" % loop_desc, file=sys.stderr)
    else:
        print(header)
        print("%-26s %12s %12s %16s" % ("workload", "items", "seconds",
                                        "items/s"))

    results = {}
    for wid in selected:
        name, builder = WORKLOADS[wid]
        items, seconds, cpu_seconds = measure(loop_factory, builder,
                                              args.scale, args.repeat)
        per_s = items / seconds if seconds > 0 else math.inf
        results[wid] = {"items": items, "seconds": seconds, "per_s": per_s,
                        "cpu_seconds": cpu_seconds}
        if not args.json:
            print("%-26s %12d %12.6f %16s" % ("%s_%s" % (wid, name), items,
                                             seconds, "{:,.0f}".format(per_s)),
                  flush=True)

    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
