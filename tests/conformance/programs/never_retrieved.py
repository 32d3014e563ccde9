"""A failed task whose exception nobody retrieves.

Checks (SEMANTICS B11, B13, G9):
* fire-and-forget: main keeps no reference to a task that raises
  ValueError('lost'); when the loop drops the task's last step handle (as it
  pops the next ready handle) the task is freed and `loop.error
  message=Task exception was never retrieved future=<Task Task-1>
  exc=ValueError('lost')` is traced with task `-`, before the next
  callback's events (`tick` from the callback queued behind the step);
* a failed task whose exception() was retrieved: freed on `del` (`alive=False`), no report;
* a failed task cancel()ed after completion (cancel() returns False but
  clears _log_traceback): freed on `del`, no report.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio
import weakref

from refloop import trace

DEFAULTS = {}


async def boom(tag):
    trace("boom", tag=tag)
    raise ValueError(tag)


async def main():
    loop = asyncio.get_running_loop()
    asyncio.create_task(boom('lost'))
    loop.call_soon(trace, "tick")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    trace("after.lost")

    t = asyncio.create_task(boom('retrieved'))
    await asyncio.sleep(0)
    trace("retrieved", exc=t.exception())
    r = weakref.ref(t)
    del t
    trace("freed.retrieved", alive=r() is not None)

    t = asyncio.create_task(boom('cancelled'))
    await asyncio.sleep(0)
    trace("cancel", returned=t.cancel(), done=t.done())
    r = weakref.ref(t)
    del t
    trace("freed.cancelled", alive=r() is not None)
