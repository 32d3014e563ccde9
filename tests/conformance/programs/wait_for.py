"""asyncio.wait_for().

Checks (SEMANTICS C7, C9):
* a coroutine finishing in time: its value is returned;
* a coroutine outliving the timeout: it is cancelled at 1 s (its finally
  runs) and wait_for raises TimeoutError() from the CancelledError;
* a Task outliving the timeout: the task is cancelled, TimeoutError;
* a coroutine that swallows the cancellation and returns: wait_for returns
  its value, no TimeoutError.
3.12 (and 3.13): wait_for is `async with timeout(): await fut`, so a
coroutine runs inline in the caller (its lines show task `main`) and no
Task-N is created.

Versions: 3.13.0 as 3.12.1.  3.11.7 wraps each coroutine in a new Task:
the fast/slow/stubborn lines show Task-1/Task-2/Task-4 instead of `main`,
and the explicit task is Task-3 instead of Task-1; outcomes identical.
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


async def work(d, tag):
    try:
        await asyncio.sleep(d)
        return tag
    finally:
        trace("work.finally", tag=tag)


async def stubborn():
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError as e:
        trace("stubborn.swallow", exc=e)
    return 'stubborn-value'


async def main():
    trace("ok", value=await asyncio.wait_for(work(1, 'fast'), 2))
    try:
        await asyncio.wait_for(work(5, 'slow'), 1)
    except TimeoutError as e:
        trace("timeout", exc=chain(e))
    t = asyncio.create_task(work(5, 'task'))
    try:
        await asyncio.wait_for(t, 1)
    except TimeoutError as e:
        trace("timeout.task", exc=chain(e), cancelled=t.cancelled())
    try:
        trace("stubborn.result", value=await asyncio.wait_for(stubborn(), 1))
    except TimeoutError as e:
        trace("stubborn.timeout", exc=chain(e))
    trace("after", cancelling=asyncio.current_task().cancelling())
