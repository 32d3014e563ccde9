"""asyncio.shield().

Checks (SEMANTICS C6):
* `outer` awaits shield(inner) and is cancelled at 1 s: it gets
  CancelledError('stop') at once (cancelling()==1) while `inner` keeps
  running, finishes at 2 s and can still be awaited for its value;
* shield() of a future that is already done returns that future itself.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def inner():
    trace("inner.start")
    await asyncio.sleep(2)
    trace("inner.end")
    return 'inner-value'


async def outer(it):
    try:
        return await asyncio.shield(it)
    except asyncio.CancelledError as e:
        trace("outer.caught", exc=e,
              cancelling=asyncio.current_task().cancelling())
        raise


async def main():
    it = asyncio.create_task(inner())
    o = asyncio.create_task(outer(it))
    await asyncio.sleep(1)
    trace("cancel", ret=o.cancel('stop'))
    try:
        await o
    except asyncio.CancelledError as e:
        trace("main.outer", exc=e, cancelled=o.cancelled())
    v = await it
    trace("main.inner", value=v, cancelled=it.cancelled())

    f = asyncio.get_running_loop().create_future()
    f.set_result(7)
    s = asyncio.shield(f)
    trace("shield.done", same=s is f, result=await s)
