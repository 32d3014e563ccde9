"""At most `value` Semaphore holders; waiters enter in FIFO order.

Pins tests/sim/test_sync.cpp SemaphoreRules.AtMostValueHoldersAndWaitersEnterInFifoOrder.
"""
import asyncio

from refloop import trace, check

DEFAULTS = {}


async def sem_body(sem, i, n):
    n[0] += 1
    check(n[0] <= 2 and sem._value <= 2 - n[0],
          "at most two holders; units woken waiters hold are taken")
    trace("enter", i=i, n=n[0])
    await asyncio.sleep((3 - i % 3) / 1000)
    n[0] -= 1
    trace("exit", i=i)


async def sem_worker(sem, i, n):
    async with sem:
        await sem_body(sem, i, n)


async def main():
    sem = asyncio.Semaphore(2)
    n = [0]
    ts = [asyncio.create_task(sem_worker(sem, i, n)) for i in range(6)]
    await asyncio.sleep(0)
    trace("sem", sem=sem, locked=sem.locked())
    for t in ts:
        await t
    trace("end", sem=sem)
