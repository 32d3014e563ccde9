"""asyncio.wait_for() with timeout 0, given a Task or a Future.

Checks (SEMANTICS C7; 3.12 tasks.py wait_for's `timeout <= 0` branch):
* a task that has not started yet: cancelled before its first step, so
  its body never runs; TimeoutError() from its CancelledError;
* a task suspended at an await: cancelled there (its finally runs inside
  it), TimeoutError() from the CancelledError the task ended with;
* a task that swallows the cancel and returns: wait_for returns the value;
* an already finished task: its result, at once (no loop iteration);
* an already failed future: its exception is raised, at once;
* a pending plain future: cancelled, TimeoutError;
* the ticker's lines pin how many loop iterations each case takes;
* _cancel_and_wait cancels with no message: CancelledError().

Versions: 3.11.7 and 3.13.0 as 3.12.1.
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


async def body(tag):
    trace("body.start", tag=tag)
    try:
        await asyncio.sleep(1)
        return tag
    finally:
        trace("body.finally", tag=tag)


async def swallower():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError as e:
        trace("swallower.caught", exc=e)
    return 'swallowed'


async def quick():
    return 'quick'


async def ticker(n):
    for i in range(n):
        trace("tick", i=i)
        await asyncio.sleep(0)


async def attempt(label, aw):
    trace(label + ".begin")
    try:
        trace(label + ".value", value=await asyncio.wait_for(aw, 0))
    except TimeoutError as e:
        trace(label + ".timeout", exc=chain(e))
    except Exception as e:
        trace(label + ".error", exc=chain(e))


async def main():
    tk = asyncio.create_task(ticker(20), name="ticker")
    await asyncio.sleep(0)

    t1 = asyncio.create_task(body('unstarted'))
    await attempt("unstarted", t1)
    trace("unstarted.state", cancelled=t1.cancelled())

    t2 = asyncio.create_task(body('suspended'))
    await asyncio.sleep(0)
    await attempt("suspended", t2)
    trace("suspended.state", cancelled=t2.cancelled())

    t3 = asyncio.create_task(swallower())
    await asyncio.sleep(0)
    await attempt("swallower", t3)

    t4 = asyncio.create_task(quick())
    await asyncio.sleep(0)
    await attempt("done", t4)

    f = asyncio.get_running_loop().create_future()
    f.set_exception(ValueError('boom'))
    await attempt("failed", f)

    g = asyncio.get_running_loop().create_future()
    await attempt("pending", g)
    trace("pending.state", cancelled=g.cancelled())

    await tk
