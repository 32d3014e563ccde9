"""Yielding while being closed raises RuntimeError('async generator ignored GeneratorExit').

Pins tests/sim/test_async_gen.cpp AsyncGenRules.YieldingWhileClosedRaisesIgnoredGeneratorExit.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def gen():
    try:
        yield 1
    except GeneratorExit as e:
        trace("gen.exit", exc=e)
    await asyncio.sleep(0.5)
    trace("gen.yield.again")
    yield 2
    trace("gen.after")


async def main():
    g = gen()
    trace("next", v=await anext(g))
    try:
        await g.aclose()
    except RuntimeError as e:
        trace("aclose", exc=e)
    trace("anext", v=await anext(g, "dflt"))
    trace("aclose.again", value=await g.aclose())
