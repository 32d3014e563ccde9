"""gc_point() leaves a sleeping task: the loop's timer handle references it.

Pins tests/sim/test_gc.cpp GcPoint.LeavesASleepingTask (SEMANTICS B12, H2).
"""
import asyncio

from refloop import trace, gc_point

DEFAULTS = {}


async def sleeper():
    await asyncio.sleep(1)
    trace("slept")


async def main():
    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    del t
    gc_point("a")
    await asyncio.sleep(2)
    trace("end")
