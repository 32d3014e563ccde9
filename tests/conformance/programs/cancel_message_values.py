"""Cancel messages that are not strings.

Checks (SEMANTICS B6, B10, B14; Lib/asyncio/tasks.py Task.cancel,
futures.py _make_cancelled_error, tasks.py gather): `task.cancel(msg)` takes
any object and the CancelledError carries it as its one argument, repr and
all: `CancelledError(42)`, `CancelledError([1, 2])`, `CancelledError((1,
'a'))`, `CancelledError(2.5)`; `cancel(None)` is `cancel()`:
`CancelledError()`.
* delivered at the task's next step (cancelled before it started, so
  `_must_cancel`) and through the future the task awaits (`fut.cancel(msg)`);
* the awaiting task sees the task's own CancelledError, with its argument;
* a TaskGroup's body cancelled with a message re-raises that CancelledError
  from `__aexit__` after cancelling the children (which get no message);
* inside `timeout()` and `wait_for()` a cancel from outside (not the
  deadline) passes through with its argument;
* the task keeps the CancelledError it ended with for the first await (or
  result()) only; once the task is cancelled its own `_cancel_message` is
  None (`__step` calls `super().cancel()` without a message), so a second
  await gets a fresh `CancelledError()`, and gather(return_exceptions=True)
  (`CancelledError('' if fut._cancel_message is None else ...)`) gives
  `CancelledError('')` for every cancelled child task, whatever its message.

Versions: 3.13.0 is identical to 3.12.1. 3.11.7's wait_for wraps the
coroutine in a task of its own (one more Task-N number, so the gathered
children are numbered one higher) and, cancelled from outside, cancels that
task without the message (`_cancel_and_wait(fut)`): the inner sleeper sees
`CancelledError()` while wait_for's caller still gets `CancelledError(7)`
(Compat::wait_for_wraps_in_task).
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def sleeper(tag, delay=1):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError as e:
        trace("sleeper.cancelled", tag=tag, exc=e)
        raise


async def watch(tag, t, again=False):
    try:
        await t
    except asyncio.CancelledError as e:
        trace("awaiter.cancelled", tag=tag, exc=e)
    if again:
        try:
            await t
        except asyncio.CancelledError as e:
            trace("awaiter.again", tag=tag, exc=e)


async def in_group(tag):
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(sleeper(tag + '.child', 5))
            await asyncio.sleep(5)
    except asyncio.CancelledError as e:
        trace("group.cancelled", tag=tag, exc=e)
        raise


async def in_timeout(tag):
    try:
        async with asyncio.timeout(5):
            await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        trace("timeout.cancelled", tag=tag, exc=e)
        raise


async def in_wait_for(tag):
    try:
        await asyncio.wait_for(sleeper(tag + '.inner', 10), 5)
    except asyncio.CancelledError as e:
        trace("wait_for.cancelled", tag=tag, exc=e)
        raise


async def main():
    # At the next step (never started) and at the awaited future.
    for msg in (42, None, [1, 2], (1, 'a'), 2.5, 'text'):
        t = asyncio.create_task(sleeper(repr(msg)))
        trace("cancel", ret=t.cancel(msg))
        await watch('before_start', t)
        t = asyncio.create_task(sleeper(repr(msg)))
        await asyncio.sleep(0)
        trace("cancel", ret=t.cancel(msg), cancelling=t.cancelling())
        await watch('suspended', t, again=True)

    for make in (in_group, in_timeout, in_wait_for):
        t = asyncio.create_task(make(make.__name__))
        await asyncio.sleep(0.5)
        t.cancel(7)
        await watch(make.__name__, t)

    kids = [asyncio.create_task(sleeper(str(i))) for i in range(3)]
    await asyncio.sleep(0)
    kids[0].cancel(None)
    kids[1].cancel((3, 4))
    kids[2].cancel('m')
    results = await asyncio.gather(*kids, return_exceptions=True)
    trace("gathered", results=results)
