"""athrow on a not started generator raises without running it, and exhausts it.

Pins tests/sim/test_async_gen.cpp AsyncGenRules.AthrowOnANotStartedGeneratorRaisesWithoutRunningItAndExhaustsIt.
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


async def main():
    g = gen()
    try:
        await g.athrow(ValueError("early"))
    except ValueError as e:
        trace("raised", exc=e)
    try:
        await anext(g)
    except StopAsyncIteration as e:
        trace("exhausted", exc=e)
    trace("aclose", value=await g.aclose())
