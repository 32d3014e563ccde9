"""Unstarted generators are freed without running: never iterated, no hook; hooked, a finalizer and a no-op aclose task.

Pins tests/sim/test_async_gen_loop.cpp AsyncGenLoop.UnstartedGeneratorsAreFreedWithoutRunningAndEveryFrameIsDestroyed.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def gen():
    try:
        trace("gen.body")
        yield 1
    finally:
        trace("gen.finally")


async def probe():
    trace("probe")


async def main():
    never = gen()
    del never          # never iterated: no hook at all
    g = gen()
    a = anext(g)
    del a
    del g              # hooked, never started: finalizer, no-op aclose task
    trace("dropped")
    await asyncio.sleep(0)
    trace("tick")
    await asyncio.sleep(0)
    await asyncio.create_task(probe())
    trace("end")
