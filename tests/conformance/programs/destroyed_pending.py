"""A pending task that becomes unreachable is destroyed by the cyclic GC.

Checks (SEMANTICS B12, A6, H2):
* a task awaiting a future that only it references forms a cycle (task ->
  _fut_waiter -> done callback -> task); releasing main's reference frees
  nothing (`released` comes with no report);
* at the next gc_point the coroutine is finalised first: GeneratorExit at
  its await runs its `finally` (traced with main as the current task), then
  `loop.error message=Task was destroyed but it is pending! task=<Task
  Task-1>`;
* a second such task whose `finally` awaits (sleep(0)) cannot complete the
  close: `unraisable message=Exception ignored in: <coroutine object
  stubborn> exc=RuntimeError('coroutine ignored GeneratorExit')`, then the
  destroyed-pending report.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace, gc_point

DEFAULTS = {}


async def waiter():
    fut = asyncio.get_running_loop().create_future()
    try:
        trace("waiting")
        await fut
    finally:
        trace("waiter.finally")


async def stubborn():
    fut = asyncio.get_running_loop().create_future()
    try:
        trace("waiting")
        await fut
    except GeneratorExit:
        trace("stubborn.except")
        await asyncio.sleep(0)
        trace("stubborn.unreached")


async def main():
    t = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    del t
    trace("released")
    gc_point("one")
    trace("after.one")
    t = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    del t
    trace("released")
    gc_point("two")
    trace("after.two")
