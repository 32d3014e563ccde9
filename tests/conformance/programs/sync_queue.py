"""asyncio.Queue: blocking put/get, the nowait forms, task_done/join.

Checks (Lib/asyncio/queues.py Queue):
* Queue(maxsize=2): a producer putting 0..3 blocks on the third put until
  the consumer gets an item; items come out in FIFO order;
* get_nowait() on an empty queue raises QueueEmpty(); put_nowait() on a
  full queue raises QueueFull();
* join() waits until task_done() was called once per item put;
* a getter cancelled while waiting does not lose an item: g1 and g2 wait
  on an empty queue, g1 is cancelled, put_nowait('x') goes to g2;
* a getter woken by put_nowait() but cancelled before it runs (g3, B6c)
  leaves the item in the queue and wakes the next getter (g4).

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def producer(q):
    for i in range(4):
        trace("put", item=i)
        await q.put(i)
        trace("put.done", item=i, size=q.qsize())


async def consumer(q, n):
    for _ in range(n):
        item = await q.get()
        trace("got", item=item)
        await asyncio.sleep(1)
        q.task_done()


async def getter(q, tag):
    try:
        trace("get.got", tag=tag, item=await q.get())
    except asyncio.CancelledError:
        trace("get.cancelled", tag=tag)


async def main():
    q = asyncio.Queue(maxsize=2)
    try:
        q.get_nowait()
    except asyncio.QueueEmpty as e:
        trace("empty", exc=e)
    p = asyncio.create_task(producer(q))
    c = asyncio.create_task(consumer(q, 4))
    await p
    try:
        q.put_nowait('extra')
    except asyncio.QueueFull as e:
        trace("full", exc=e)
    await q.join()
    trace("joined", size=q.qsize())
    await c

    gs = [asyncio.create_task(getter(q, 'g%d' % i)) for i in (1, 2)]
    await asyncio.sleep(0)
    gs[0].cancel()
    await asyncio.sleep(0)
    q.put_nowait('x')
    await asyncio.gather(*gs)

    gs = [asyncio.create_task(getter(q, 'g%d' % i)) for i in (3, 4)]
    await asyncio.sleep(0)
    q.put_nowait('y')
    gs[0].cancel()
    await asyncio.gather(*gs)
    trace("end", size=q.qsize())
