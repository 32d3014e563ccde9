"""aclose on a never started or a finished generator does nothing.

Pins tests/sim/test_async_gen.cpp AsyncGenRules.AcloseOnANeverStartedOrFinishedGeneratorDoesNothing.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def gen(tag):
    try:
        trace("gen.body", tag=tag)
        yield 1
    finally:
        trace("gen.finally", tag=tag)


async def main():
    g = gen("never")
    trace("made")
    trace("aclose", value=await g.aclose())
    trace("anext", v=await anext(g, "dflt"))
    h = gen("done")
    async for v in h:
        trace("item", v=v)
    trace("aclose", value=await h.aclose())
    trace("aclose", value=await h.aclose())
