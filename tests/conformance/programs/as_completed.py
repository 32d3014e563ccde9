"""asyncio.as_completed over tasks.

Checks (SEMANTICS B16):
* three tasks finishing at 3 s, 1 s and 2 s: results in completion order;
  a ticker shows in which loop iteration each result arrives (the task's
  done callback puts it in a Queue, whose get() wakes the waiting task);
* a failing task: its exception is raised by that iteration's await, the
  next iteration goes on;
* the same task given twice counts once (`set(fs)`);
* a task already done when iteration starts: its result comes first, one
  iteration later (its done callback is scheduled, not run at once);
* timeout=1.5 with tasks finishing at 1 s and 5 s: the first result, then
  TimeoutError for the other; the unfinished task is left running, and a
  pending task's repr shows as_completed's done callback while iterating;
* the callbacks are registered when iteration starts (the generator's
  first step), not when as_completed() is called;
* a `_wait_for_one()` coroutine dropped without being awaited warns
  "never awaited" under its qualname.

Versions: 3.11.7 as 3.12.1.  3.13.0's as_completed() is an
_AsCompletedIterator that registers its callbacks and starts the timeout
when called, so the timeout (1.5 s after the call) has expired when the
loop starts 2 s later: `fast` comes first (it finished before the timeout),
then TimeoutError at once, and the callbacks are gone from `slow`; the
dropped coroutine is `_AsCompletedIterator._wait_for_one`.
"""
import asyncio

from refloop import trace, full_repr

DEFAULTS = {}


async def ticker(n):
    for i in range(n):
        trace("tick", i=i)
        await asyncio.sleep(0)


async def work(d, tag, fail=False):
    await asyncio.sleep(d)
    if fail:
        raise ValueError(tag)
    return tag


async def main():
    ts = [asyncio.create_task(work(3, "a")), asyncio.create_task(work(1, "b")),
          asyncio.create_task(work(2, "c", fail=True))]
    n = 0
    for f in asyncio.as_completed(ts):
        try:
            trace("result", value=await f)
        except ValueError as e:
            trace("error", exc=e)
        n += 1
    trace("count", n=n)

    t = asyncio.create_task(work(1, "dup"))
    for f in asyncio.as_completed([t, t]):
        trace("dup", value=await f)

    done = asyncio.create_task(work(0, "early"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    trace("early.done", done=done.done())
    late = asyncio.create_task(work(1, "late"))
    tick = asyncio.create_task(ticker(4))
    for f in asyncio.as_completed([late, done]):
        trace("order", value=await f)
    await tick

    fast = asyncio.create_task(work(1, "fast"))
    slow = asyncio.create_task(work(5, "slow"))
    it = asyncio.as_completed([fast, slow], timeout=1.5)
    await asyncio.sleep(2)
    trace("lazy", fast_done=fast.done(), slow=full_repr(slow))
    for f in it:
        try:
            trace("timed", value=await f, slow=full_repr(slow))
        except TimeoutError as e:
            trace("timed.out", exc=e, slow=full_repr(slow))
    trace("slow.after", done=slow.done())
    trace("slow.result", value=await slow)

    it = asyncio.as_completed([asyncio.create_task(work(1, "dropped"))])
    f = next(it)
    del f
    trace("dropped")
    await asyncio.sleep(2)
