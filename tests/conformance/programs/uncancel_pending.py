"""uncancel() taking back a cancel that has not been delivered yet.

Checks (SEMANTICS B7):
* `self_cancel`: a task cancels itself while running (the request waits
  for its next step), then calls uncancel() before awaiting;
* `before_start`: a task is cancelled before its first step and uncancelled
  at once by its creator;
* `while_waiting`: a task is cancelled while it awaits a sleep (the sleep's
  future is cancelled at once) and then uncancelled: the CancelledError is
  already on its way on every version.

Versions: 3.11.7 as 3.12.1: uncancel() only decrements the count, so the
first two cancels are still delivered (the second before the task's first
step, so none of its code runs).  3.13.0's uncancel() also clears the
pending request when the count reaches 0 (`_must_cancel = False`), so those
two tasks run on undisturbed.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def worker(tag, cancel_self):
    me = asyncio.current_task()
    if cancel_self:
        trace("cancel", tag=tag, ret=me.cancel("self"), cancelling=me.cancelling())
        trace("uncancel", tag=tag, ret=me.uncancel())
    try:
        await asyncio.sleep(1)
        trace("slept", tag=tag)
    except asyncio.CancelledError as e:
        trace("caught", tag=tag, exc=e, cancelling=me.cancelling())
    return tag


async def join(t):
    try:
        trace("result", ret=await t)
    except asyncio.CancelledError as e:
        trace("join.cancelled", exc=e, cancelled=t.cancelled())


async def main():
    t = asyncio.create_task(worker("self_cancel", True))
    await join(t)

    t = asyncio.create_task(worker("before_start", False))
    trace("cancel", ret=t.cancel("early"), cancelling=t.cancelling())
    trace("uncancel", ret=t.uncancel())
    await join(t)

    t = asyncio.create_task(worker("while_waiting", False))
    await asyncio.sleep(0)
    trace("cancel", ret=t.cancel("late"))
    trace("uncancel", ret=t.uncancel())
    await join(t)
