"""Cancelled after the awaited future completed but before the task woke.

Checks (SEMANTICS B6c, B4): set_result(42) only schedules the waiter's
wake-up; cancel('late') in the same step finds the future already done
(fut.cancel() is False), so it sets _must_cancel and still returns True.
On wake-up the result 42 is discarded and CancelledError('late') is thrown
in at the await instead; the future keeps its result.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def waiter(fut):
    try:
        v = await fut
        trace("not.reached", value=v)
    except asyncio.CancelledError as e:
        trace("waiter.caught", exc=e, fut_result=fut.result())
        raise


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    t = asyncio.create_task(waiter(fut))
    await asyncio.sleep(0)
    fut.set_result(42)
    trace("cancel", ret=t.cancel('late'), fut_done=fut.done(),
          fut_cancelled=fut.cancelled())
    try:
        await t
    except asyncio.CancelledError as e:
        trace("main.caught", exc=e)
    trace("after", cancelled=t.cancelled(), cancelling=t.cancelling())
