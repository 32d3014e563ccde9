"""Event waiters wake in order; a set Event does not block (SEMANTICS D).

Pins tests/sim/test_sync.cpp EventRules.WaitersWakeInOrderAndASetEventDoesNotBlock.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def ev_waiter(ev, i):
    trace("wait", i=i)
    r = await ev.wait()
    trace("woke", i=i, r=r)


async def main():
    ev = asyncio.Event()
    ts = [asyncio.create_task(ev_waiter(ev, i)) for i in range(3)]
    await asyncio.sleep(0)
    trace("set", was=ev.is_set(), ev=ev)
    ev.set()
    r = await ev.wait()
    trace("fast", r=r)
    for t in ts:
        await t
    ev.clear()
    trace("cleared", set=ev.is_set())
