"""A woken then cancelled Semaphore waiter hands its unit to the next.

Pins tests/sim/test_sync.cpp SemaphoreRules.WokenThenCancelledWaiterHandsItsUnitToTheNext.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


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


async def sem_cancel_worker(sem, i):
    try:
        await sem.acquire()
    except asyncio.CancelledError:
        trace("cancelled", i=i, value=sem._value)
        raise
    trace("got", i=i, value=sem._value)


async def main():
    sem = asyncio.Semaphore(1)
    await sem.acquire()
    ts = [asyncio.create_task(sem_cancel_worker(sem, i)) for i in range(4)]
    await asyncio.sleep(0)
    sem.release()    # wakes 0 (the unit is taken for it)
    ts[0].cancel()   # woken then cancelled: hands the unit to 1
    ts[2].cancel()   # cancelled while waiting
    trace("after", sem=sem)
    await await_all(ts[:3], False)
    trace("mid", sem=sem)
    sem.release()
    await ts[3]
    trace("end", sem=sem)
