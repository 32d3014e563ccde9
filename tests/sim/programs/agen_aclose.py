"""aclose raises GeneratorExit at the yield, and the finally may await; a raising cleanup propagates.

Pins tests/sim/test_async_gen.cpp AsyncGenRules.AcloseRaisesGeneratorExitAtTheYieldAndTheFinallyMayAwait.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def gen():
    try:
        yield 1
        trace("gen.unreached")
        yield 2
    except GeneratorExit as e:
        trace("gen.exit", exc=e)
        raise
    finally:
        trace("gen.finally")
        await asyncio.sleep(1)
        trace("gen.finally.end")


async def bad():
    try:
        yield 1
    finally:
        trace("bad.finally")
        await asyncio.sleep(0)
        raise ValueError("cleanup")


async def main():
    g = gen()
    trace("next", v=await anext(g))
    trace("closed", value=await g.aclose())
    trace("closed.again", value=await g.aclose())
    trace("anext", v=await anext(g, "dflt"))
    b = bad()
    trace("next", v=await anext(b))
    try:
        await b.aclose()
    except ValueError as e:
        trace("aclose.raised", exc=e)
    trace("closed.again", value=await b.aclose())
