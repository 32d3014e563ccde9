"""async for drives a generator to its end without raising; a second loop gets nothing.

Pins tests/sim/test_async_gen_loop.cpp AsyncGenLoop.NextDrivesAnAsyncForLoopAndEndsWithoutRaising.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def ticks(n):
    for i in range(n):
        await asyncio.sleep(1)
        yield i
    trace("gen.end")


async def main():
    g = ticks(3)
    async for v in g:
        trace("item", v=v)
        await asyncio.sleep(0.5)
    trace("loop.done")
    async for v in g:
        trace("unreached", v=v)
    trace("loop.again")
    trace("default", v=await anext(g, "dflt"))
