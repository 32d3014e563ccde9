"""Sleep sort: n tasks sleep v seconds each (values in 1..k).

Checks the timer heap (SEMANTICS G2): timers with equal `when` fire in heapq
order, not FIFO, so the wake order within one value depends on the heap's
shape; across values it is non-decreasing.
"""
import asyncio

from refloop import trace, check

DEFAULTS = {'n': 8, 'k': 3}


async def sleeper(i, v, out):
    await asyncio.sleep(v)
    trace("wake", i=i, v=v)
    out.append(v)


async def main(n=8, k=3):
    values = [(i * 7 + 3) % k + 1 for i in range(n)]
    trace("start", values=values)
    out = []
    tasks = [asyncio.create_task(sleeper(i, v, out)) for i, v in enumerate(values)]
    for t in tasks:
        await t
    trace("sorted", order=out)
    check(all(out[i] <= out[i + 1] for i in range(len(out) - 1)), "wake order is non-decreasing")
