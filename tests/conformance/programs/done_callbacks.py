"""Future.add_done_callback / remove_done_callback and future identity (SEMANTICS B5, G6).

Checks:
* callbacks run in registration order, each as its own handle queued by call_soon when the
  future completes (so after the code that completed it, before a task woken later);
* each runs in a copy of the context current when it was added (add_done_callback's
  contextvars.copy_context()), and receives the future itself (`f is fut`);
* remove_done_callback removes every pending registration of that callback and returns how
  many it removed (0 when none);
* a callback added to a done future is queued at once;
* an exception in a callback goes to the loop's exception handler as
  "Exception in callback NAME(FUTURE)" and the loop goes on;
* a task's done callbacks run before the task that awaited it resumes.

Versions: 3.11.7, 3.12.1 and 3.13.0 give the same trace, except that 3.13.0 leaves the
arguments out of the callback text (`bad()`).
"""
import asyncio
import contextvars

from refloop import trace

DEFAULTS = {}

var = contextvars.ContextVar("var", default="unset")


def bad(f):
    trace("bad", cancelled=f.cancelled())
    raise ValueError("cb")


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    def make(name):
        def cb(f):
            trace("cb", name=name, same=f is fut, var=var.get(), result=f.result())
        return cb

    a, b, c = make("a"), make("b"), make("c")
    var.set("at-add")
    fut.add_done_callback(a)
    fut.add_done_callback(b)
    fut.add_done_callback(a)
    var.set("later")
    fut.add_done_callback(c)
    trace("removed", n=fut.remove_done_callback(a))
    trace("removed.again", n=fut.remove_done_callback(a))
    fut.set_result(7)
    trace("set")
    await asyncio.sleep(0)
    trace("after")

    fut.add_done_callback(make("late"))
    trace("added.late")
    await asyncio.sleep(0)

    other = loop.create_future()
    other.add_done_callback(bad)
    trace("same", fut_is_fut=fut is fut, fut_is_other=fut is other)
    other.cancel()
    await asyncio.sleep(0)
    trace("after.bad")

    async def child():
        trace("child")
        return 3

    t = asyncio.create_task(child())

    def on_task(tt):
        trace("task.cb", result=tt.result(), same=tt is t)

    t.add_done_callback(on_task)
    trace("await", v=await t)
