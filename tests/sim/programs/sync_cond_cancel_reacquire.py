"""Cancelled while re-acquiring after a notify: a fresh CancelledError once re-acquired.

Pins tests/sim/test_sync.cpp ConditionRules.CancelWhileReacquiringRaisesAFreshCancelledErrorOnceReacquired.
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
    cond.notify()
    await asyncio.sleep(0)  # t wakes from wait() and blocks re-acquiring
    t.cancel("during-reacquire")
    await asyncio.sleep(0)
    trace("holding", cond=cond, lock=lock)
    lock.release()
    await await_cancelled(t, lock)
