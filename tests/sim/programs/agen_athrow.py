"""athrow raises at the yield: caught, the generator yields again; uncaught, it propagates and finishes.

Pins tests/sim/test_async_gen.cpp AsyncGenRules.AthrowRaisesAtTheYieldCaughtThenYieldsOrPropagatesAndFinishes.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def gen():
    try:
        try:
            yield 1
        except KeyError as e:
            trace("gen.caught", exc=e)
            await asyncio.sleep(1)
            yield 2
        yield 3
    finally:
        trace("gen.finally")


async def quiet():
    try:
        yield 1
    except KeyError as e:
        trace("quiet.caught", exc=e)


async def main():
    g = gen()
    trace("next", v=await anext(g))
    trace("athrow", v=await g.athrow(KeyError("k")))
    try:
        await g.athrow(ValueError("v"))
    except ValueError as e:
        trace("escaped", exc=e)
    try:
        await anext(g)
    except StopAsyncIteration as e:
        trace("after", exc=e)
    q = quiet()
    trace("next", v=await anext(q))
    try:
        await q.athrow(KeyError("q"))
    except StopAsyncIteration as e:
        trace("athrow.returned", exc=e)
