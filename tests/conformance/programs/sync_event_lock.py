"""asyncio.Event and asyncio.Lock wake-up order.

Checks (Lib/asyncio/locks.py Event.wait/set/clear, Lock.acquire/release;
SEMANTICS B5, B6, B6c):
* Event: three waiters block in wait(); set() wakes them in wait order and
  each wait() returns True; wait() on a set event returns at once; after
  clear() a new waiter blocks again until the next set();
* Lock: held by main, then requested by l1, l2, l3 in that order; locked();
  l2 is cancelled while waiting: release() hands the lock to l1, then to
  l3; l2 never gets it;
* a waiter woken by release() but cancelled before it runs (l4, B6c)
  gives up the lock to the next waiter (l5) instead of taking it.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def ev_waiter(ev, tag):
    trace("ev.wait", tag=tag)
    trace("ev.woke", tag=tag, value=await ev.wait())


async def locker(lock, tag):
    trace("lock.want", tag=tag)
    try:
        async with lock:
            trace("lock.got", tag=tag)
            await asyncio.sleep(1)
            trace("lock.release", tag=tag)
    except asyncio.CancelledError:
        trace("lock.cancelled", tag=tag)


async def main():
    ev = asyncio.Event()
    ws = [asyncio.create_task(ev_waiter(ev, 'w%d' % i)) for i in range(3)]
    await asyncio.sleep(0)
    ev.set()
    trace("ev.set", is_set=ev.is_set())
    await ev_waiter(ev, 'now')
    await asyncio.gather(*ws)
    ev.clear()
    w = asyncio.create_task(ev_waiter(ev, 'late'))
    await asyncio.sleep(1)
    ev.set()
    await w

    lock = asyncio.Lock()
    await lock.acquire()
    ls = [asyncio.create_task(locker(lock, 'l%d' % i)) for i in (1, 2, 3)]
    await asyncio.sleep(0)
    ls[1].cancel()
    await asyncio.sleep(0)
    trace("main.release", locked=lock.locked())
    lock.release()
    await asyncio.gather(*ls)
    trace("lock.free", locked=lock.locked())

    await lock.acquire()
    ls = [asyncio.create_task(locker(lock, 'l%d' % i)) for i in (4, 5)]
    await asyncio.sleep(0)
    lock.release()
    ls[0].cancel()
    await asyncio.gather(*ls)
    trace("end", locked=lock.locked())
