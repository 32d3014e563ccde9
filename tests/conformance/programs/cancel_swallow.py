"""A task that catches its CancelledError and carries on.

Checks (SEMANTICS B6e, B7, B8):
* `a` catches CancelledError('stop'), keeps running (sleeps again) and
  returns a value: it is not cancelled and cancelling() stays 1 (B8, B7);
* `outer` awaits the task `inner`; cancelling `outer` forwards the cancel to
  its waiter, the inner Task, with the message.  `inner` swallows it and
  returns, so `outer` resumes normally with the value and is not cancelled,
  although outer.cancel() returned True; both report cancelling()==1 (B6e).

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def swallower(tag):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        trace("swallow", tag=tag, exc=e,
              cancelling=asyncio.current_task().cancelling())
    await asyncio.sleep(1)
    return tag + '.value'


async def outer(inner):
    v = await inner
    trace("outer.got", value=v, cancelling=asyncio.current_task().cancelling())
    return v


async def main():
    a = asyncio.create_task(swallower('a'))
    await asyncio.sleep(0)
    trace("cancel.a", ret=a.cancel('stop'))
    r = await a
    trace("a.done", result=r, cancelled=a.cancelled(), cancelling=a.cancelling())

    inner = asyncio.create_task(swallower('inner'))
    out = asyncio.create_task(outer(inner))
    await asyncio.sleep(0)
    trace("cancel.outer", ret=out.cancel('outer-msg'))
    r = await out
    trace("outer.done", result=r, cancelled=out.cancelled(),
          cancelling_outer=out.cancelling(), cancelling_inner=inner.cancelling())
