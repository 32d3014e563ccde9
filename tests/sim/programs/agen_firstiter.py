"""firstiter fires once, when the first awaitable is made, in the task making it (SEMANTICS F4).

Pins tests/sim/test_async_gen_loop.cpp AsyncGenLoop.FirstiterFiresOnceWhenTheFirstAwaitableIsMadeInTheTaskMakingIt.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def gen(tag):
    trace("gen.body", tag=tag)
    yield tag


async def user(g):
    async for v in g:
        trace("user.item", v=v)


async def main():
    never = gen("never")
    g = gen("a")
    trace("created")
    a = anext(g)
    trace("made")
    trace("got", v=await a)
    b = anext(g)
    trace("made.again")
    trace("default", v=await anext(g, "dflt"))
    h = gen("b")
    t = asyncio.create_task(user(h))
    await t
    del never
    trace("end")
