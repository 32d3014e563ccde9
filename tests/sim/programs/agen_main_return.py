"""A generator abandoned as main returns is closed by a cancelled aclose task.

SEMANTICS F10: run() cancels the aclose task before its first step; on 3.12
the finally starts with that CancelledError, and GeneratorExit ends it at its
await (the aclose() awaitable thrown into before it started stays INIT), so
there is no gen.finally.end (3.13 prints it).

Pins tests/sim/test_async_gen_loop.cpp AsyncGenLoop.AGeneratorAbandonedAsMainReturnsIsClosedByACancelledAcloseTask.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def gen():
    try:
        yield 1
    finally:
        trace("gen.finally")
        await asyncio.sleep(1)
        trace("gen.finally.end")


async def main():
    g = gen()
    trace("next", v=await anext(g))
    trace("main.end")
