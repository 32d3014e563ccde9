"""What Task.cancel() returns, and what cancelling()/uncancel() count.

Checks (SEMANTICS B6, B6b, B6f, B7):
* cancel() on a task that already finished returns False and leaves
  cancelling() at 0; the result is still there (B6f);
* cancel('m1') then cancel('m2') on a task waiting on a future: both return
  True, cancelling()==2, the future is cancelled, and exactly one
  CancelledError is delivered, carrying the first message 'm1' (B6, B6b);
* cancel() on the now-cancelled task returns False, count unchanged (B6f);
* uncancel() counts down 2 -> 1 -> 0 and then stays at 0 (B7).

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def quick():
    return 1


async def waiter(fut):
    try:
        await fut
    except asyncio.CancelledError as e:
        trace("waiter.caught", exc=e,
              cancelling=asyncio.current_task().cancelling())
        raise


async def main():
    loop = asyncio.get_running_loop()
    t = asyncio.create_task(quick())
    await t
    trace("done.cancel", ret=t.cancel(), cancelling=t.cancelling(),
          cancelled=t.cancelled(), result=t.result())

    fut = loop.create_future()
    w = asyncio.create_task(waiter(fut))
    await asyncio.sleep(0)
    trace("cancel", first=w.cancel('m1'), second=w.cancel('m2'),
          cancelling=w.cancelling(), fut_cancelled=fut.cancelled())
    try:
        await w
    except asyncio.CancelledError as e:
        trace("main.caught", exc=e)
    trace("after", cancelled=w.cancelled(), cancelling=w.cancelling())
    trace("cancel.again", ret=w.cancel(), cancelling=w.cancelling())
    trace("uncancel", r1=w.uncancel(), r2=w.uncancel(), r3=w.uncancel(),
          cancelling=w.cancelling())
