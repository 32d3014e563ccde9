"""A blocking call inside a coroutine, and debug mode's slow-callback report.

`blocking(s)` (refloop) stands for a synchronous call such as time.sleep(s):
it advances the virtual clock by s inside the current step, without
yielding, so nothing else runs meanwhile.

Checks (SEMANTICS G1, G4-style loop internals: BaseEventLoop._run_once's
debug branch; H4):
* a timer (Task-1's 0.5 s sleep) that falls due during a blocking call
  fires only after the step ends, late (at 1000 ms);
* with loop.set_debug(True) and slow_callback_duration = 0.5, a handle
  whose run took >= 0.5 s of (virtual) time is reported after it returns,
  with no current task: `loop.slow message=Executing <Task main> took 1.000
  seconds` for a task step, `... <Handle slow_cb()> ...` for a plain
  callback; a step that blocked 0.25 s is not reported;
* _run_once decides whether to time a handle before running it: the step
  that calls set_debug(False) and then blocks 1 s is still reported; the
  next 1 s blocking step is not.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import blocking, trace

DEFAULTS = {}


async def sleeper():
    trace("sleeper.start")
    await asyncio.sleep(0.5)
    trace("sleeper.woke")


def slow_cb():
    trace("cb.start")
    blocking(1)
    trace("cb.end")


async def main():
    loop = asyncio.get_running_loop()
    loop.set_debug(True)
    loop.slow_callback_duration = 0.5
    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    trace("block", seconds=1)
    blocking(1)
    trace("unblocked")
    await t
    trace("block", seconds=0.25)
    blocking(0.25)
    await asyncio.sleep(0)
    loop.call_soon(slow_cb)
    await asyncio.sleep(0)
    trace("after.cb")
    loop.set_debug(False)
    trace("debug.off")
    blocking(1)
    await asyncio.sleep(0)
    trace("block.nodebug")
    blocking(1)
    await asyncio.sleep(0)
    trace("end", debug=loop.get_debug())
