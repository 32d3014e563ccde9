"""Condition.wait() cancelled twice: a fresh CancelledError chained to the first.

Pins tests/sim/test_sync.cpp ConditionRules.CancelledTwiceRaisesAFreshCancelledErrorChainedToTheFirst.
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


async def cond_cancel_waiter(cond):
    await cond.acquire()
    try:
        await cond.wait()
    except asyncio.CancelledError as e:
        trace("cancelled", locked=cond.locked(), e=chain(e))
        cond.release()
        raise


async def await_cancelled(t, lock):
    try:
        await t
    except asyncio.CancelledError as e:
        trace("task_cancelled", e=chain(e), locked=lock.locked())


async def main():
    lock = asyncio.Lock()
    cond = asyncio.Condition(lock)
    t = asyncio.create_task(cond_cancel_waiter(cond))
    await asyncio.sleep(0)
    await lock.acquire()
    t.cancel("one")
    await asyncio.sleep(0)  # t leaves wait()'s future and blocks re-acquiring
    t.cancel("two")
    await asyncio.sleep(0)
    lock.release()
    await await_cancelled(t, lock)
