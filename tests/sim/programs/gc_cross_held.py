"""Two pending tasks each holding the future the other awaits: one cycle.

Pins tests/sim/test_gc.cpp
GcPoint.CollectsTwoTasksHoldingEachOthersFutureInCreationOrder (SEMANTICS
A6, B12, H2): once main drops both tasks, the collection at `a` closes both
coroutines (each `except` runs with main current, still holding the other's
future) and reports each destroyed pending task, in creation order.
"""
import asyncio

from refloop import trace, gc_point

DEFAULTS = {}


class Box:
    fa = None
    fb = None


async def pair_a(box):
    fa = asyncio.get_running_loop().create_future()
    box.fa = fa
    await asyncio.sleep(0)
    fb = box.fb
    box.fb = None
    try:
        await fa
    except BaseException:
        trace("a.finally", holds=fb is not None)
        raise


async def pair_b(box):
    fb = asyncio.get_running_loop().create_future()
    box.fb = fb
    await asyncio.sleep(0)
    fa = box.fa
    box.fa = None
    try:
        await fb
    except BaseException:
        trace("b.finally", holds=fa is not None)
        raise


async def main():
    box = Box()
    a = asyncio.create_task(pair_a(box))
    b = asyncio.create_task(pair_b(box))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    del box, a, b
    gc_point("a")
    trace("end")
