"""anext and aclose from another task are refused while the generator is running (SEMANTICS F).

Pins tests/sim/test_async_gen_loop.cpp AsyncGenLoop.AnextAndAcloseFromAnotherTaskAreRefusedWhileTheGeneratorIsRunning.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def slow():
    try:
        for i in range(3):
            trace("gen.await", i=i)
            await asyncio.sleep(1)
            yield i
    finally:
        trace("gen.finally")


async def reader(g):
    trace("reader.got", v=await anext(g))


async def intruder(g):
    try:
        await anext(g)
    except RuntimeError as e:
        trace("anext.refused", exc=e)
    try:
        await g.aclose()
    except RuntimeError as e:
        trace("aclose.refused", exc=e)


async def main():
    g = slow()
    t1 = asyncio.create_task(reader(g))
    t2 = asyncio.create_task(intruder(g))
    await t1
    await t2
    trace("main.got", v=await anext(g))
    await g.aclose()
    trace("end")
