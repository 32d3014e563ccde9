"""Condition.wait_for() returns once the predicate holds.

Pins tests/sim/test_sync.cpp ConditionRules.WaitForReturnsOnceThePredicateHolds.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def consumer_body(cond, i, box):
    v = await cond.wait_for(lambda: box[0] >= i)
    trace("ready", i=i, n=box[0], v=v)


async def cond_consumer(cond, i, box):
    async with cond:
        await consumer_body(cond, i, box)


async def bump_body(cond, box):
    box[0] += 1
    trace("bump", n=box[0])
    cond.notify_all()


async def main():
    cond = asyncio.Condition()
    box = [0]
    ts = [asyncio.create_task(cond_consumer(cond, i, box)) for i in (2, 1, 3, 0)]
    for _ in range(3):
        await asyncio.sleep(0)
        async with cond:
            await bump_body(cond, box)
    for t in ts:
        await t
