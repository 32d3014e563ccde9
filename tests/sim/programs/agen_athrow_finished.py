"""athrow on a finished generator returns None (3.11.7 and 3.13.0 agree: it does not raise).

Pins tests/sim/test_async_gen.cpp AsyncGenRules.AthrowOnAFinishedGeneratorReturnsNone.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def gen():
    yield 1


async def main():
    g = gen()
    trace("next", v=await anext(g))
    trace("next", v=await anext(g, "dflt"))
    trace("athrow.finished", value=await g.athrow(KeyError("late")))
    h = gen()
    trace("next", v=await anext(h))
    try:
        await h.athrow(ValueError("v"))
    except ValueError as e:
        trace("escaped", exc=e)
    trace("athrow.after.escape", value=await h.athrow(KeyError("late")))
