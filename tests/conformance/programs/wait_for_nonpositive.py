"""asyncio.wait_for() with a timeout <= 0, given a coroutine.

Checks (SEMANTICS C7):
* 3.12's wait_for special-cases `timeout <= 0`: `ensure_future(coro)` wraps
  the coroutine in a new Task (consuming a Task-N number), which is
  cancelled before its first step, so the coroutine never runs (no
  work.start, no finally, no "never awaited" warning: A3);
* `_cancel_and_wait` waits for that task to finish (two extra loop
  iterations, which the ticker's lines pin), then wait_for raises
  TimeoutError() from the task's CancelledError;
* timeout 0 and a negative timeout behave the same;
* the numbers the wrapped tasks consumed shift later default names:
  with the ticker named explicitly (Task-1), the explicit task below is
  Task-4, not Task-2;
* `timeout=None` awaits the coroutine inline, creating no task.

Versions: 3.11.7 as 3.12.1.  3.13.0 as well (same special case).
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


async def work(tag):
    trace("work.start", tag=tag)
    try:
        await asyncio.sleep(1)
        return tag
    finally:
        trace("work.finally", tag=tag)


async def ticker(n):
    for i in range(n):
        trace("tick", i=i)
        await asyncio.sleep(0)


async def main():
    tk = asyncio.create_task(ticker(8), name="ticker")
    await asyncio.sleep(0)
    trace("zero.begin")
    try:
        await asyncio.wait_for(work('zero'), 0)
    except TimeoutError as e:
        trace("zero.timeout", exc=chain(e))
    trace("neg.begin")
    try:
        await asyncio.wait_for(work('neg'), -1)
    except TimeoutError as e:
        trace("neg.timeout", exc=chain(e))
    t = asyncio.create_task(work('later'))
    trace("created", name=t.get_name())
    trace("none.value", value=await asyncio.wait_for(work('none'), None))
    trace("later.value", value=await t)
    await tk
    trace("names", tasks=sorted(x.get_name() for x in asyncio.all_tasks()))
