"""anext yields the values, then StopAsyncIteration, or the default (SEMANTICS F).

Pins tests/sim/test_async_gen.cpp AsyncGenRules.AnextYieldsValuesThenStopAsyncIterationAndTheDefault.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def count(n):
    trace("gen.start", n=n)
    for i in range(n):
        yield i * 10
    trace("gen.end")


async def main():
    g = count(2)
    trace("created")
    trace("got", v=await anext(g))
    trace("got", v=await anext(g))
    try:
        await anext(g)
    except StopAsyncIteration as e:
        trace("stop", exc=e)
    try:
        await anext(g)
    except StopAsyncIteration as e:
        trace("stop.again", exc=e)
    h = count(1)
    for _ in range(3):
        trace("default", v=await anext(h, -1))
