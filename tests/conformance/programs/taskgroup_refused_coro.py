"""The coroutine a refused create_task leaves with its caller.

Checks (SEMANTICS D2, A5; Lib/asyncio/taskgroups.py create_task): when
TaskGroup.create_task refuses, the caller's own reference to the coroutine
is all that is left of it (CPython's tests then close it):
* not entered: the caller awaits the refused coroutine itself, and it runs
  (`job tag=not_entered`);
* finished: the caller closes it; no "never awaited" warning;
* shutting down: the caller drops it without closing it; the warning comes
  at the `del`, once the caught RuntimeError (whose traceback also held it)
  is gone.

Versions: 3.11.7 as 3.12.1. 3.13.0 closes the coroutine before raising
(Compat::taskgroup_refusal_closes_coro): awaiting it raises
RuntimeError('cannot reuse already awaited coroutine'), and dropping it
warns nothing.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def job(tag):
    trace("job", tag=tag)
    return tag


async def failer():
    await asyncio.sleep(1)
    raise ValueError('f')


async def main():
    coro = job('not_entered')
    try:
        asyncio.TaskGroup().create_task(coro)
    except RuntimeError as e:
        trace("refused", exc=e)
    try:
        trace("awaited", value=await coro)
    except RuntimeError as e:
        trace("await.failed", exc=e)

    async with asyncio.TaskGroup() as tg:
        pass
    coro = job('finished')
    try:
        tg.create_task(coro)
    except RuntimeError as e:
        trace("refused", exc=e)
    coro.close()
    trace("closed")

    try:
        async with asyncio.TaskGroup() as tg2:
            tg2.create_task(failer())
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                coro = job('shutting_down')
                try:
                    tg2.create_task(coro)
                except RuntimeError as e:
                    trace("refused", exc=e)
                trace("dropping")
                del coro
                trace("dropped")
                raise
    except ExceptionGroup as e:
        trace("group", exc=e)
