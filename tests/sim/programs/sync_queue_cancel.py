"""A cancelled Queue getter does not lose an item, nor a cancelled putter a slot.

Pins tests/sim/test_sync.cpp QueueRules.CancelledGetterDoesNotLoseAnItemNorACancelledPutterASlot.
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


async def cancel_getter(q, i):
    try:
        v = await q.get()
    except asyncio.CancelledError:
        trace("cancelled", i=i, q=q)
        raise
    trace("got", i=i, v=v)


async def cancel_putter(q, i):
    try:
        await q.put(i)
    except asyncio.CancelledError:
        trace("cancelled", i=i, q=q)
        raise
    trace("put", i=i)


async def main():
    q = asyncio.Queue()
    gs = [asyncio.create_task(cancel_getter(q, i)) for i in range(3)]
    await asyncio.sleep(0)
    q.put_nowait("x")  # wakes getter 0 ...
    gs[0].cancel()     # ... which is cancelled before it runs: getter 2 gets the item
    gs[1].cancel()     # getter 1 cancelled while waiting
    await await_all(gs, False)
    trace("state", q=q)
    q2 = asyncio.Queue(1)
    q2.put_nowait(100)
    ps = [asyncio.create_task(cancel_putter(q2, i)) for i in range(3)]
    await asyncio.sleep(0)
    v = q2.get_nowait()  # wakes putter 0
    ps[0].cancel()
    ps[1].cancel()
    await await_all(ps, False)
    trace("state", v=v, q=q2)
