"""TaskGroup.__aexit__ where 3.12 and 3.13 differ.

Checks (SEMANTICS D8, B7):
* `late_failure`: the body has finished and the parent waits in __aexit__
  when a child fails; the group cancels the parent (its internal await gets
  the CancelledError) and raises the ExceptionGroup. After the group, the
  parent's cancelling() shows whether that cancel request was taken back;
* `outside_and_failure`: the parent is cancelled from outside while its
  body awaits and a child then fails while being cancelled; the group
  raises the ExceptionGroup (the child's error has priority over the
  CancelledError); the parent handles it with except* and awaits again:
  whether that await is cancelled shows whether the outside cancel was
  kept;
* `cancel_subclass`: the body raises a subclass of CancelledError:
  whether the group treats it as a cancellation (re-raised as is) or as an
  error (wrapped in a BaseExceptionGroup).

Versions: 3.11.7 as 3.12.1.  3.13.0 calls the parent's uncancel() after
waiting for the children, not on entry to __aexit__, so a failure after the
body finished leaves cancelling() 0 instead of 1; when the group ends with
errors and the parent is being cancelled from outside, it uncancels and
re-cancels the parent, so the next await after the except* is cancelled;
and it treats a CancelledError subclass as a cancellation.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


class MyCancelled(asyncio.CancelledError):
    pass


async def fail_after(d, tag):
    await asyncio.sleep(d)
    raise ValueError(tag)


async def fail_on_cancel(tag):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        raise ValueError(tag)


async def late_failure():
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(fail_after(1, "late"))
            trace("late.body_done")
    except* ValueError as eg:
        trace("late.caught", exc=eg, cancelling=me.cancelling())
    trace("late.after", cancelling=me.cancelling())
    await asyncio.sleep(0)
    trace("late.slept")


async def outside_and_failure():
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(fail_on_cancel("child"))
            await asyncio.sleep(10)
    except* ValueError as eg:
        trace("outside.caught", exc=eg, cancelling=me.cancelling())
    try:
        await asyncio.sleep(0)
        trace("outside.slept", cancelling=me.cancelling())
    except asyncio.CancelledError as e:
        trace("outside.cancelled", exc=e, cancelling=me.cancelling())
        raise


async def cancel_subclass():
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(asyncio.sleep(10))
            await asyncio.sleep(0)
            raise MyCancelled("mine")
    except BaseException as e:
        trace("subclass.caught", exc=e, cancelling=me.cancelling())


async def main():
    await late_failure()
    t = asyncio.create_task(outside_and_failure())
    await asyncio.sleep(1)
    trace("cancel", ret=t.cancel("outside"))
    try:
        await t
        trace("outside.result")
    except asyncio.CancelledError as e:
        trace("outside.main_caught", exc=e)
    trace("outside.after", cancelled=t.cancelled(), cancelling=t.cancelling())
    await cancel_subclass()
