"""asyncio.wait_for() with a positive timeout, where 3.11 and 3.12 differ.

Checks (SEMANTICS C7):
* a task finishing in time: its value; the ticker shows in which loop
  iteration the caller resumes;
* a coroutine finishing in time: its value;
* a pending future outliving the timeout: cancelled, TimeoutError() from
  its CancelledError;
* a coroutine raising: its exception reaches the caller;
* the caller cancelled while it waits for a coroutine: the coroutine's
  finally runs before the caller sees its CancelledError.

Versions: 3.13.0 as 3.12.1.  3.11.7 runs each coroutine in a new task
(Task-N names, later tasks numbered higher) and waits through a waiter
future released by a done callback, so the caller resumes one loop
iteration later than 3.12 does (the ticks move), and the cancelled caller
first cancels the coroutine's task and waits for it.
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


async def ticker(n):
    for i in range(n):
        trace("tick", i=i)
        await asyncio.sleep(0)


async def quick(tag):
    await asyncio.sleep(0)
    return tag


async def slow(tag):
    try:
        await asyncio.sleep(10)
    finally:
        trace("slow.finally", tag=tag)


async def fails():
    await asyncio.sleep(0)
    raise ValueError('bad')


async def waiter():
    try:
        await asyncio.wait_for(slow('outer'), 5)
    except asyncio.CancelledError as e:
        trace("waiter.cancelled", exc=chain(e))
        raise


async def main():
    tk = asyncio.create_task(ticker(14))
    await asyncio.sleep(0)
    t = asyncio.create_task(quick('task'))
    trace("task.value", value=await asyncio.wait_for(t, 1))
    trace("coro.value", value=await asyncio.wait_for(quick('coro'), 1))
    fut = asyncio.get_running_loop().create_future()
    try:
        await asyncio.wait_for(fut, 0.5)
    except TimeoutError as e:
        trace("future.timeout", exc=chain(e), cancelled=fut.cancelled())
    try:
        await asyncio.wait_for(fails(), 1)
    except ValueError as e:
        trace("fails", exc=chain(e))
    w = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    w.cancel()
    try:
        await w
    except asyncio.CancelledError:
        trace("w.cancelled", name=w.get_name())
    await tk
    trace("done")
