"""An aclose task that fails reports its exception as never retrieved.

Pins tests/sim/test_async_gen_loop.cpp AsyncGenLoop.AnAcloseTaskThatFailsReportsItsExceptionAsNeverRetrieved.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def res():
    try:
        yield 1
    finally:
        trace("gen.finally")
        await asyncio.sleep(0)
        raise ValueError("cleanup")


async def main():
    g = res()
    trace("got", v=await anext(g))
    del g
    trace("dropped")
    await asyncio.sleep(1)
    trace("end")
