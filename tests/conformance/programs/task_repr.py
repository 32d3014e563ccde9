"""A task's repr, as CPython prints it.

Checks (SEMANTICS B15; Lib/asyncio/base_tasks.py _task_repr_info,
base_futures.py _future_repr_info, _format_callbacks): traced with
`full_repr(t)` (refloop: addresses and source locations left out, so
`coro=<child() running at x.py:3>` shows as `coro=<child()>` and a finished
coroutine's `done, defined at x.py:1` as `done`):
* `<Task pending name='c' coro=<child()>>` before its first step;
* suspended: `wait_for=` the future it awaits, with that future's callbacks
  (`cb=[Task.task_wakeup()]`);
* cancel requested and not done: status `cancelling` (never a count), the
  awaited future `cancelled`;
* finished: `result=` (reprlib: a long string cut to 30 characters with
  `...`), `exception=`, or `cancelled`;
* its done callbacks: another task's wakeup, a TaskGroup's
  `TaskGroup._on_task_done()`, a user's callback by name, the main task's
  `_run_until_complete_cb()`; three or more as `first, <N more>, last`;
* a task awaiting a task shows that task's whole repr as `wait_for=`.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace, full_repr

DEFAULTS = {}


async def child(x, delay=1):
    await asyncio.sleep(delay)
    return x


async def bad():
    raise ValueError('b')


async def outer(t):
    return await t


def on_done(t):
    pass


def other_cb(t):
    pass


async def main():
    t = asyncio.create_task(child(1), name='c')
    trace("created", r=full_repr(t))
    await asyncio.sleep(0)
    trace("suspended", r=full_repr(t))
    t.cancel()
    trace("cancelling", r=full_repr(t), cancelling=t.cancelling())
    try:
        await t
    except asyncio.CancelledError:
        pass
    trace("cancelled", r=full_repr(t))

    t2 = asyncio.create_task(child('a' * 40))
    t3 = asyncio.create_task(bad())
    await asyncio.sleep(0)
    trace("failed", r=full_repr(t3))
    t4 = asyncio.create_task(outer(t2))
    await asyncio.sleep(0)
    trace("awaited", r=full_repr(t2))
    trace("awaiting", r=full_repr(t4))
    trace("main", r=full_repr(asyncio.current_task()))
    await t4
    trace("finished", r=full_repr(t2))
    try:
        await t3
    except ValueError:
        pass

    t5 = asyncio.create_task(child(5))
    t5.add_done_callback(on_done)
    trace("one_cb", r=full_repr(t5))
    t5.add_done_callback(other_cb)
    trace("two_cbs", r=full_repr(t5))
    t5.add_done_callback(on_done)
    t5.add_done_callback(other_cb)
    trace("four_cbs", r=full_repr(t5))
    await t5
    trace("done_cbs", r=full_repr(t5))

    async with asyncio.TaskGroup() as tg:
        k = tg.create_task(child(6, 0.5))
        await asyncio.sleep(0)
        trace("group_child", r=full_repr(k))
    trace("group_done", r=full_repr(k))
