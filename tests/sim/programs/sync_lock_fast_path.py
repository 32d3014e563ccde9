"""Lock.acquire() does not queue behind waiters that are all cancelled.

Pins tests/sim/test_sync.cpp LockRules.AcquireDoesNotQueueBehindOnlyCancelledWaiters.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def lock_cancel_worker(lock, i):
    try:
        await lock.acquire()
    except asyncio.CancelledError:
        trace("cancelled", i=i, locked=lock.locked())
        raise
    trace("got", i=i)
    await asyncio.sleep(0)
    lock.release()
    trace("released", i=i)


async def await_all(ts, done_lines):
    """Awaits each task, tracing task_cancelled or (when done_lines) done."""
    for i, t in enumerate(ts):
        cancelled = False
        try:
            await t
        except asyncio.CancelledError:
            cancelled = True
        if cancelled:
            trace("task_cancelled", i=i)
        elif done_lines:
            trace("done", i=i)


async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    a = asyncio.create_task(lock_cancel_worker(lock, 0))
    await asyncio.sleep(0)
    a.cancel()
    lock.release()
    await lock.acquire()  # the only waiter is cancelled: taken at once
    trace("reacquired", lock=lock)
    await await_all([a], False)
    lock.release()
    trace("end", lock=lock)
