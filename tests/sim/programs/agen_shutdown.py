"""shutdown_asyncgens closes the suspended generators in first-iteration order (SEMANTICS F, H1).

Pins tests/sim/test_async_gen_loop.cpp AsyncGenLoop.ShutdownAsyncgensClosesTheSuspendedGeneratorsInFirstIterationOrder.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


KEEP = []  # keeps the generators alive until the loop shuts them down


async def gen(tag, delay):
    try:
        trace("gen.body", tag=tag)
        yield tag
        yield tag
    finally:
        trace("gen.finally", tag=tag)
        await asyncio.sleep(delay)
        trace("gen.finally.end", tag=tag)


async def main():
    a = gen("a", 1)
    b = gen("b", 0.5)
    c = gen("c", 0)
    d = gen("d", 0)
    KEEP.extend([a, b, c, d])
    trace("next", v=await anext(a))
    trace("next", v=await anext(b))
    trace("next", v=await anext(c))
    await c.aclose()
    trace("main.end")
