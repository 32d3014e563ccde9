"""Ordering rules of one _run_once iteration.

Checks (SEMANTICS G1-G3), all within main's first two iterations:
* call_soon callbacks run FIFO: a, b, c;
* a callback scheduled while an iteration runs (a schedules a2) waits for
  the next iteration, after everything already ready;
* call_later(0) goes through the timer heap: although scheduled first,
  `later0` runs after the handles that were already ready (a, b, c, the new
  task's first step, main's wake-up), at the end of the same iteration;
* a cancelled timer (`cancelled`) is skipped and never runs;
* a task created after callbacks were queued starts after them (`task`);
  it has finished by the time main resumes, so `await t` does not suspend
  (`main.joined` follows `main.resumed` in the same step);
* then, on the clock: call_later(1) and call_at(now + 0.5) fire in time
  order (`half` at 500 ms, `one` at 1000 ms), and a timer cancelled before
  it is due (`cancelled2`) never fires.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def child():
    trace("cb", name="task")


async def main():
    loop = asyncio.get_running_loop()

    def cb(name, then=None):
        trace("cb", name=name)
        if then is not None:
            loop.call_soon(cb, then)

    loop.call_later(0, cb, "later0")
    loop.call_soon(cb, "a", "a2")
    loop.call_soon(cb, "b")
    h = loop.call_later(0, cb, "cancelled")
    h.cancel()
    loop.call_soon(cb, "c")
    t = asyncio.create_task(child())
    trace("cb", name="main.yield")
    await asyncio.sleep(0)
    trace("cb", name="main.resumed")
    await t
    trace("cb", name="main.joined")

    loop.call_later(1, cb, "one")
    h2 = loop.call_later(0.75, cb, "cancelled2")
    loop.call_at(loop.time() + 0.5, cb, "half", "after.half")
    await asyncio.sleep(0.25)
    h2.cancel()
    trace("cb", name="main.cancelled2")
    await asyncio.sleep(1)
    trace("cb", name="main.done")
