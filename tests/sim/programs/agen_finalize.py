"""An abandoned generator is closed by an aclose task whose finally may await (SEMANTICS F5).

Pins tests/sim/test_async_gen_loop.cpp AsyncGenLoop.AnAbandonedGeneratorIsClosedByAnAcloseTaskWhoseFinallyMayAwait.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def res(tag):
    try:
        for i in range(10):
            yield i
    finally:
        trace("gen.finally", tag=tag)
        await asyncio.sleep(1)
        trace("gen.finally.end", tag=tag)


async def reader(tag):
    g = res(tag)
    trace("reader.got", v=await anext(g))
    trace("reader.got", v=await anext(g))
    trace("reader.return")


async def main():
    t = asyncio.create_task(reader("x"))
    await t
    trace("joined")
    for n in range(1, 4):
        await asyncio.sleep(0)
        trace("tick", n=n)
    await asyncio.sleep(2)
    trace("end")
