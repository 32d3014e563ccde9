"""A task wrapping anext(g) directly (no coroutine around it).

Checks (SEMANTICS F1-F6): `asyncio.create_task(anext(g))` runs one step of
the generator in the new task and gives the value it yields.  Cancelled
before its first step, the task throws its CancelledError into the
__anext__() awaitable, which passes it to the generator (gen_throw,
Objects/genobject.c async_gen_asend_throw): a generator that has not
started is closed without running, one suspended at a yield gets the
CancelledError there (a handler that yields again gives the task that value
as its result, and the task is not cancelled), and an exhausted one lets the
CancelledError through.  Without a cancel, an exhausted generator's task
fails with StopAsyncIteration.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}

CASES = [
    # tag, anext() calls before the task (-1: exhausted by async for), cancel before its first step
    ("plain", 1, False),
    ("unstarted", 0, True),
    ("at_first_yield", 1, True),
    ("caught", 2, True),
    ("exhausted", -1, False),
    ("exhausted_cancelled", -1, True),
]


async def gen(tag):
    try:
        yield 1
        try:
            yield 2
        except asyncio.CancelledError as e:
            trace("gen.caught", tag=tag, exc=e)
            yield 20
            raise
        yield 3
    finally:
        trace("gen.finally", tag=tag)


async def main():
    for tag, before, cancel in CASES:
        g = gen(tag)
        if before < 0:
            async for v in g:
                pass
        for _ in range(before):
            trace("before", tag=tag, value=await anext(g))
        t = asyncio.create_task(anext(g))
        if cancel:
            trace("cancel", tag=tag, ret=t.cancel())
        try:
            trace("task.result", tag=tag, value=await t)
        except BaseException as e:
            trace("task.caught", tag=tag, exc=e)
        trace("after", tag=tag, cancelled=t.cancelled())
        try:
            trace("anext.after", tag=tag, value=await anext(g))
        except BaseException as e:
            trace("anext.after", tag=tag, exc=e)
        await g.aclose()
