"""Held-out: Lock and Event races between release/set and cancellation.

Adapted from CPython 3.12 Lib/test/test_asyncio/test_locks.py::LockTests::
test_acquire_cancel, ::test_cancel_race, ::test_cancel_release_race,
::test_finished_waiter_cancelled, and ::EventTests::test_wait_cancel,
::test_clear_with_waiters.

Checks (Lib/asyncio/locks.py Lock.acquire/release/_wake_up_first, Event):
* acquire_cancel: a task running lock.acquire() itself, cancelled by a
  call_soon(task.cancel) while it waits, ends cancelled and leaves no
  waiter (repr shows no `waiters:`);
* cancel_race: A holds the lock, B and C wait; in one step A's blocker is
  resolved and B cancelled: A releases (B's waiter is already cancelled,
  so nobody is woken by that release), B's CancelledError handler sees
  the lock free and wakes C, which gets the lock;
* cancel_release_race (issue 32734): one callback cancels t1 (the first
  waiter) and releases the lock: only t2 takes it, t3 keeps waiting and
  is cancelled at the end;
* finished_waiter_cancelled: tb waits, tc is created, tb is cancelled and
  the lock released: tc's first step finds the lock free with only a
  cancelled waiter queued and takes it at once, before tb runs;
* Event.wait cancelled by call_soon(task.cancel): no waiter left;
* set(); clear(); set(); set() with a waiter queued: the waiter was woken
  by the first set() and wait() returns True; one waiter future only.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def lockit(lock, name, blocker):
    trace("lockit.call", name=name)
    try:
        await lock.acquire()
    except asyncio.CancelledError:
        trace("lockit.cancelled", name=name, lock=lock)
        raise
    trace("lockit.locked", name=name)
    try:
        if blocker is not None:
            await blocker
    finally:
        lock.release()
        trace("lockit.released", name=name, lock=lock)


async def holdit(lock, name):
    trace("holdit.call", name=name)
    try:
        await lock.acquire()
    except asyncio.CancelledError:
        trace("holdit.cancelled", name=name)
        raise
    trace("holdit.locked", name=name)


async def ev_waiter(ev):
    res = await ev.wait()
    trace("ev.woke", value=res)
    return True


async def main():
    loop = asyncio.get_running_loop()

    # LockTests.test_acquire_cancel
    lock = asyncio.Lock()
    trace("acquire", value=await lock.acquire())
    task = asyncio.create_task(lock.acquire())
    loop.call_soon(task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        trace("acquire_cancel", task=task.get_name(), cancelled=task.cancelled(), lock=lock)

    # LockTests.test_cancel_race
    lock = asyncio.Lock()
    fa = loop.create_future()
    ta = asyncio.create_task(lockit(lock, 'A', fa))
    await asyncio.sleep(0)
    tb = asyncio.create_task(lockit(lock, 'B', None))
    await asyncio.sleep(0)
    tc = asyncio.create_task(lockit(lock, 'C', None))
    await asyncio.sleep(0)
    trace("race.setup", lock=lock)
    fa.set_result(None)
    tb.cancel()
    await asyncio.sleep(0)
    trace("race", locked=lock.locked(), a_done=ta.done(), b_cancelled=tb.cancelled())
    await tc
    trace("race.end", lock=lock)

    # LockTests.test_cancel_release_race
    lock = asyncio.Lock()
    await lock.acquire()
    t1 = asyncio.create_task(holdit(lock, 't1'))
    t2 = asyncio.create_task(holdit(lock, 't2'))
    t3 = asyncio.create_task(holdit(lock, 't3'))
    await asyncio.sleep(0)

    def trigger():
        trace("trigger")
        t1.cancel()
        lock.release()

    loop.call_soon(trigger)
    try:
        await t1
    except asyncio.CancelledError:
        trace("t1.cancelled", t2_done=t2.done(), t3_done=t3.done(), lock=lock)
    t3.cancel()
    await asyncio.sleep(0)
    trace("t3", cancelled=t3.cancelled(), lock=lock)

    # LockTests.test_finished_waiter_cancelled
    lock = asyncio.Lock()
    await lock.acquire()
    tb = asyncio.create_task(holdit(lock, 'tb'))
    await asyncio.sleep(0)
    tc = asyncio.create_task(holdit(lock, 'tc'))
    tb.cancel()
    lock.release()
    trace("released", lock=lock)
    await asyncio.sleep(0)
    trace("finished_waiter", locked=lock.locked(), tb_cancelled=tb.cancelled(), tc_done=tc.done())
    await tc

    # EventTests.test_wait_cancel
    ev = asyncio.Event()
    wait = asyncio.create_task(ev.wait())
    loop.call_soon(wait.cancel)
    try:
        await wait
    except asyncio.CancelledError:
        trace("ev.wait_cancel", task=wait.get_name(), ev=ev)

    # EventTests.test_clear_with_waiters
    ev = asyncio.Event()
    t = asyncio.create_task(ev_waiter(ev))
    await asyncio.sleep(0)
    ev.set()
    ev.clear()
    trace("ev.cleared", is_set=ev.is_set())
    ev.set()
    ev.set()
    trace("ev.set_twice", ev=ev)
    await asyncio.sleep(0)
    trace("ev.after", ev=ev, done=t.done(), result=t.result())
