"""Held-out: tasks cancelled while iterating async generators.

Adapted from CPython 3.12 Lib/test/test_asyncgen.py::AsyncGenAsyncioTest::
test_async_gen_asyncio_shutdown_01 (two tasks iterating `waiter(1)` are
cancelled while the generators sleep; both `finally` blocks must run), with
the loop's own shutdown_asyncgens left to asyncio.run, and one more task
whose generator is suspended at a `yield` rather than inside an await.

Checks:
* Task-1 and Task-2 run `async for` over waiter(1); at 500 ms main cancels
  both while each generator is awaiting asyncio.sleep(1) inside anext():
  the CancelledError is delivered inside the generator frame, whose
  `finally` runs in the task (and may await: sleep(0)); the generator is
  then finished and the task ends cancelled;
* Task-3 iterates a generator that has yielded and then sleeps in the
  `async for` body; cancelling it raises in the task's frame, not in the
  generator: `async for` does not close the generator, which is left
  suspended at its `yield`; the `async for` drops it while the exception
  unwinds, before the task's `except` runs: the finalizer hook fires there
  (in Task-3) and an aclose task (Task-4) runs its `finally` after main
  has joined the three tasks;
* nothing is left for asyncio.run's shutdown_asyncgens (no
  `run.shutdown_asyncgens` line).

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def waiter(tag, timeout):
    try:
        await asyncio.sleep(timeout)
        trace("gen.yield", tag=tag)
        yield 1
    finally:
        trace("gen.finally", tag=tag)
        await asyncio.sleep(0)
        trace("gen.finalized", tag=tag)


async def wait(tag, timeout):
    try:
        async for _ in waiter(tag, timeout):
            trace("body", tag=tag)
            await asyncio.sleep(10)
    except asyncio.CancelledError:
        trace("wait.cancelled", tag=tag)
        raise


async def main():
    t1 = asyncio.create_task(wait('t1', 1))
    t2 = asyncio.create_task(wait('t2', 1))
    t3 = asyncio.create_task(wait('t3', 0))
    await asyncio.sleep(0.5)
    for t in (t1, t2, t3):
        t.cancel()
    for t in (t1, t2, t3):
        try:
            await t
        except asyncio.CancelledError:
            trace("joined", task=t.get_name(), cancelled=t.cancelled())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    trace("end")
