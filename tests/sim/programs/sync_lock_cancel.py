"""A cancelled Lock waiter does not steal the lock and passes the wakeup on.

Pins tests/sim/test_sync.cpp LockRules.CancelledWaiterDoesNotStealTheLockAndPassesTheWakeupOn.
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
    ts = [asyncio.create_task(lock_cancel_worker(lock, i)) for i in range(4)]
    await asyncio.sleep(0)
    lock.release()   # wakes 0
    ts[0].cancel()   # woken, then cancelled before it runs: wakes 1 instead
    ts[2].cancel()   # cancelled while waiting
    trace("after", locked=lock.locked(), lock=lock)
    await await_all(ts, True)
    trace("end", lock=lock)
