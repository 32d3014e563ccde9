"""asend's value becomes the yield expression; non-None to a just-started generator is a TypeError.

Pins tests/sim/test_async_gen.cpp AsyncGenRules.AsendValueBecomesTheYieldExpressionAndNonNoneToAJustStartedOneIsATypeError.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def acc():
    total = 0
    trace("acc.start")
    while True:
        got = yield total
        trace("acc.got", got=got)
        if got is None:
            break
        total += got
    trace("acc.end", total=total)


async def main():
    g = acc()
    try:
        await g.asend(5)
    except TypeError as e:
        trace("early", exc=e)
    trace("first", v=await g.asend(None))
    trace("sent", v=await g.asend(2))
    trace("sent", v=await g.asend(3))
    try:
        await g.asend(None)
    except StopAsyncIteration as e:
        trace("stop", exc=e)
    try:
        await g.asend(4)
    except StopAsyncIteration as e:
        trace("stop.again", exc=e)
