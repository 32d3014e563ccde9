"""An awaited anext/asend/athrow/aclose awaitable cannot be reused.

Pins tests/sim/test_async_gen_loop.cpp AsyncGenLoop.AnAwaitedAnextAsendAthrowOrAcloseAwaitableCannotBeReused.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def gen():
    x = yield 1
    trace("gen.got", x=x)
    yield 2
    yield 3


async def main():
    g = gen()
    a = g.__anext__()
    trace("v", v=await a)
    try:
        await a
    except RuntimeError as e:
        trace("reuse.anext", exc=e)
    s = g.asend(7)
    trace("v", v=await s)
    try:
        await s
    except RuntimeError as e:
        trace("reuse.asend", exc=e)
    t = g.athrow(KeyError("k"))
    try:
        await t
    except KeyError as e:
        trace("athrow", exc=e)
    try:
        await t
    except RuntimeError as e:
        trace("reuse.athrow", exc=e)
    del a, s, t   # they would outlive main through a reference cycle otherwise
    c = g.aclose()
    trace("aclose", value=await c)
    try:
        await c
    except RuntimeError as e:
        trace("reuse.aclose", exc=e)
