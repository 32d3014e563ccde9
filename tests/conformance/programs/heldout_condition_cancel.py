"""Held-out: Condition notify ordering, and wait() cancelled at each stage.

Adapted from CPython 3.12 Lib/test/test_asyncio/test_locks.py::
ConditionTests::test_wait, ::test_notify, ::test_wait_cancel,
::test_wait_cancel_contested, ::test_wait_cancel_after_notify,
::test_timeout_in_block, ::test_wait_unacquired, ::test_notify_unacquired
and ::test_explicit_lock.

Checks (Lib/asyncio/locks.py Condition.wait/notify):
* test_wait: c1..c3 wait; notify() while main holds the lock wakes c1's
  future, but c1 only returns from wait() once main releases (it must
  re-acquire);
* test_notify: notify(1) then notify(2048) wake c2 and c3 (each once);
  they take the lock in turn as each predecessor releases it;
* wait_cancel: a task running cond.wait() (main holds the lock) cancelled
  by call_soon(task.cancel): it ends cancelled with the lock held again
  and no waiter left;
* wait_cancel_contested: the waiter is notified, main re-takes the lock
  first, and call_soon(cancel), call_soon(release) run in one iteration:
  the waiter's re-acquire is cancelled, it retries, takes the lock and
  wait() raises CancelledError() (3.12.1 raises a fresh one);
* wait_cancel_after_notify (bpo-32841): cancelled while blocked in the
  re-acquire after a notify: once main releases, the task ends cancelled
  (its `async with` released the lock again);
* timeout_in_block: wait_for(cond.wait(), 0.5) inside `async with cond`
  raises TimeoutError at 500 ms, with the lock held again;
* wait() and notify() on an unheld condition raise
  RuntimeError('cannot wait on un-acquired lock') / ('cannot notify on
  un-acquired lock');
* explicit lock: Condition(lock) is locked exactly when the lock is.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (3.13 rewrote
Condition.wait() to re-raise the CancelledError it caught and to notify
another waiter when it fails; no trace line here changes).
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def cw(cond, tag):
    await cond.acquire()
    trace("cw.wait", tag=tag)
    if await cond.wait():
        trace("cw.woke", tag=tag, locked=cond.locked())
        cond.release()
    return True


async def wait_on_cond(cond):
    try:
        async with cond:
            trace("woc.waiting")
            await cond.wait()
            trace("woc.unreached")
    except asyncio.CancelledError as e:
        trace("woc.cancelled", exc=e, locked=cond.locked())
        raise


async def main():
    loop = asyncio.get_running_loop()

    # test_wait / test_notify
    cond = asyncio.Condition()
    ts = [asyncio.create_task(cw(cond, 'c%d' % i)) for i in (1, 2, 3)]
    await asyncio.sleep(0)
    trace("waiting", cond=cond)
    await cond.acquire()
    cond.notify()
    trace("notified", n=1, cond=cond)
    await asyncio.sleep(0)
    trace("still.held", locked=cond.locked())
    cond.release()
    await asyncio.sleep(0)
    await cond.acquire()
    cond.notify(1)
    cond.notify(2048)
    trace("notified", n=2048, cond=cond)
    cond.release()
    await asyncio.sleep(0)
    trace("results", results=[t.result() for t in ts], cond=cond)

    # test_wait_cancel
    cond = asyncio.Condition()
    await cond.acquire()
    wait = asyncio.create_task(cond.wait())
    loop.call_soon(wait.cancel)
    try:
        await wait
    except asyncio.CancelledError as e:
        trace("wait_cancel", exc=e, locked=cond.locked(), cond=cond)
    cond.release()

    # test_wait_cancel_contested
    cond = asyncio.Condition()
    await cond.acquire()
    wait_task = asyncio.create_task(cond.wait())
    await asyncio.sleep(0)
    trace("contested.waiting", locked=cond.locked())
    await cond.acquire()
    cond.notify()
    loop.call_soon(wait_task.cancel)
    loop.call_soon(cond.release)
    try:
        trace("contested.result", value=await wait_task)
    except asyncio.CancelledError as e:
        trace("contested.cancelled", exc=e)
    trace("contested", locked=cond.locked(), cond=cond)
    cond.release()

    # test_wait_cancel_after_notify
    cond = asyncio.Condition()
    waiter = asyncio.create_task(wait_on_cond(cond))
    await asyncio.sleep(0)
    await cond.acquire()
    cond.notify()
    await asyncio.sleep(0)
    waiter.cancel()
    await asyncio.sleep(0)
    cond.release()
    await asyncio.sleep(0)
    trace("after_notify", cancelled=waiter.cancelled(), locked=cond.locked())

    # test_timeout_in_block
    cond = asyncio.Condition()
    async with cond:
        try:
            await asyncio.wait_for(cond.wait(), timeout=0.5)
        except asyncio.TimeoutError as e:
            trace("timeout", exc=e, locked=cond.locked())
    trace("timeout.after", locked=cond.locked())

    # test_wait_unacquired / test_notify_unacquired
    cond = asyncio.Condition()
    try:
        await cond.wait()
    except RuntimeError as e:
        trace("unacquired", exc=e)
    try:
        cond.notify()
    except RuntimeError as e:
        trace("unacquired", exc=e)
    try:
        cond.notify_all()
    except RuntimeError as e:
        trace("unacquired", exc=e)

    # test_explicit_lock
    lock = asyncio.Lock()
    cond = asyncio.Condition(lock)
    async with lock:
        trace("explicit", cond_locked=cond.locked())
    async with cond:
        trace("explicit", lock_locked=lock.locked())
    trace("explicit", cond_locked=cond.locked(), lock_locked=lock.locked())
