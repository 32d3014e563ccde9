"""Awaiting a coroutine another task awaits raises 'coroutine is being awaited already' (SEMANTICS A8).

Pins tests/sim/test_diagnostics.cpp DiagnosticsRules.AwaitingACoroutineAnotherTaskAwaitsRaisesBeingAwaitedAlready.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def slow():
    trace("slow.start")
    await asyncio.sleep(1)
    trace("slow.end")
    return 7


async def waiter(c):
    trace("waiter.got", value=await c)


async def main():
    c = slow()
    t = asyncio.create_task(waiter(c))
    await asyncio.sleep(0)
    try:
        await c
    except RuntimeError as e:
        trace("second", exc=e)
    await t
    try:
        await c
    except RuntimeError as e:
        trace("after", exc=e)
