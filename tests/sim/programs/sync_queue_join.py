"""Queue.join() wakes every joiner when the last task is done.

Pins tests/sim/test_sync.cpp QueueRules.JoinWakesEveryJoinerWhenTheLastTaskIsDone.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def joiner(q, i):
    await q.join()
    trace("joined", i=i)


async def main():
    q = asyncio.Queue()
    for v in range(3):
        q.put_nowait(v)
    js = [asyncio.create_task(joiner(q, i)) for i in range(2)]
    for _ in range(3):
        await asyncio.sleep(0)
        v = q.get_nowait()
        q.task_done()
        trace("done", v=v, q=q)
    for j in js:
        await j
