"""Lock waiters acquire in FIFO order; releasing an unlocked Lock raises.

Pins tests/sim/test_sync.cpp LockRules.WaitersAcquireInFifoOrderAndReleasingAnUnlockedLockRaises.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def lock_worker(lock, i):
    trace("want", i=i)
    await lock.acquire()
    trace("got", i=i)
    await asyncio.sleep(0)
    lock.release()
    trace("released", i=i)


async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    ts = [asyncio.create_task(lock_worker(lock, i)) for i in range(3)]
    await asyncio.sleep(0)
    trace("release", lock=lock)
    lock.release()
    for t in ts:
        await t
    trace("end", locked=lock.locked())
    try:
        lock.release()
    except RuntimeError as e:
        trace("error", e=e)
