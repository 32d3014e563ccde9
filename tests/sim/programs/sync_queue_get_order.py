"""Waiting Queue getters receive items in order.

Pins tests/sim/test_sync.cpp QueueRules.WaitingGettersReceiveItemsInOrder.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def getter(q, i):
    v = await q.get()
    trace("got", i=i, v=v)


async def main():
    q = asyncio.Queue()
    ts = [asyncio.create_task(getter(q, i)) for i in range(3)]
    await asyncio.sleep(0)
    trace("state", q=q)
    for v in ("a", "b", "c"):
        q.put_nowait(v)
    trace("state", q=q)
    for t in ts:
        await t
