"""A TaskGroup cancels its remaining children in creation order, also after
earlier children finished and later ones were added (SEMANTICS D3, H1).

* kid 1 (1.5 s), kid 2 (1 s) and kid 3 (10 s) start; the body sleeps 2 s,
  so kids 2 and 1 finish first (in that order);
* the body then adds kid 4, kid 5, `bad` (fails at 3 s) and kid 6, and ends;
* at 3 s `bad` raises: the group cancels kids 3, 4, 5 and 6, and each traces
  its CancelledError in that order, creation order, whatever became of the
  children that finished before;
* the group raises ExceptionGroup([ValueError('bad')]).

Versions: identical on 3.11 and 3.12 (the reference loop iterates
TaskGroup._tasks in insertion order, H1).
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def kid(n, d):
    try:
        await asyncio.sleep(d)
        trace("kid.done", n=n)
    except asyncio.CancelledError:
        trace("kid.cancelled", n=n)
        raise


async def bad():
    await asyncio.sleep(1)
    raise ValueError("bad")


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(kid(1, 1.5))
            tg.create_task(kid(2, 1))
            tg.create_task(kid(3, 10))
            await asyncio.sleep(2)
            tg.create_task(kid(4, 10))
            tg.create_task(kid(5, 10))
            tg.create_task(bad())
            tg.create_task(kid(6, 10))
    except ExceptionGroup as e:
        trace("caught", exc=e)
