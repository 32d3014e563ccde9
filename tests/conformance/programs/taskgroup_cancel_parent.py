"""The task running a TaskGroup is cancelled from outside.

Checks (SEMANTICS D4, D5 [S06]):
* `parent(True)` is cancelled at 1 s while its body awaits: the body gets
  CancelledError('outside'); __aexit__ cancels the children (creation
  order); with no child errors the same CancelledError('outside') is
  re-raised; the task ends cancelled with cancelling()==1;
* `parent(False)`: the body has finished and the parent waits inside
  __aexit__ when the cancel arrives: the CancelledError hits the internal
  await, the group aborts the children and re-raises it.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def kid(n):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        trace("kid.cancelled", n=n, exc=e)
        raise


async def parent(body_waits):
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(kid(1))
            tg.create_task(kid(2))
            if body_waits:
                await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        trace("parent.caught", exc=e, cancelling=me.cancelling())
        raise


async def main():
    for body_waits in (True, False):
        p = asyncio.create_task(parent(body_waits))
        await asyncio.sleep(1)
        trace("cancel", ret=p.cancel('outside'))
        try:
            await p
        except asyncio.CancelledError as e:
            trace("main.caught", exc=e)
        trace("after", cancelled=p.cancelled(), cancelling=p.cancelling())
