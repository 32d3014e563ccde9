"""async with on a Lock acquires and releases it.

Pins tests/sim/test_sync.cpp LockRules.AsyncWithAcquiresAndReleases.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def held(lock, i):
    trace("in", i=i, locked=lock.locked())
    await asyncio.sleep(0)


async def with_body(lock, i):
    async with lock:
        await held(lock, i)


async def main():
    lock = asyncio.Lock()
    ts = [asyncio.create_task(with_body(lock, i)) for i in range(2)]
    await with_body(lock, 9)
    for t in ts:
        await t
    trace("end", locked=lock.locked())
