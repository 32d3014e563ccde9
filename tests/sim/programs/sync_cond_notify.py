"""Condition notify(1), notify(2), notify_all() wake waiters in order; both need the lock.

Pins tests/sim/test_sync.cpp ConditionRules.NotifyOneThenTwoThenAllWakeWaitersInOrderAndNeedTheLock.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def cond_wait_body(cond, i):
    trace("wait", i=i)
    r = await cond.wait()
    trace("woke", i=i, r=r, locked=cond.locked())


async def cond_waiter(cond, i):
    async with cond:
        await cond_wait_body(cond, i)


async def main():
    cond = asyncio.Condition()
    ts = [asyncio.create_task(cond_waiter(cond, i)) for i in range(5)]
    await asyncio.sleep(0)
    async with cond:
        cond.notify(1)
        trace("notified", n=1, cond=cond)
    await asyncio.sleep(0)
    async with cond:
        cond.notify(2)
        trace("notified", n=2)
    await asyncio.sleep(0)
    async with cond:
        cond.notify_all()
        trace("notified", n="all")
    for t in ts:
        await t
    try:
        cond.notify()
    except RuntimeError as e:
        trace("error", e=e)
    err = None
    try:
        await cond.wait()
    except RuntimeError as e:
        err = e
    trace("error", e=err)
