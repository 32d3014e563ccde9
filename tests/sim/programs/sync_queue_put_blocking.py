"""Queue.put() blocks while full; join() waits for task_done().

Pins tests/sim/test_sync.cpp QueueRules.PutBlocksWhileFullAndJoinWaitsForTaskDone.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def producer(q, n):
    for i in range(n):
        await q.put(i)
        trace("put", i=i, size=q.qsize(), full=q.full())


async def consumer(q, n):
    for _ in range(n):
        v = await q.get()
        trace("got", v=v, q=q)
        await asyncio.sleep(0)
        q.task_done()


async def main():
    q = asyncio.Queue(2)
    p = asyncio.create_task(producer(q, 5))
    await asyncio.sleep(0)
    trace("state", q=q)
    c = asyncio.create_task(consumer(q, 5))
    await p
    trace("produced", q=q)
    await q.join()
    trace("joined", q=q)
    await c
