"""A task wrapping g.aclose() directly (no coroutine around it).

Checks (SEMANTICS F1-F6): `asyncio.create_task(g.aclose())` runs the
generator's cleanup in the new task; cancelled before its first step, the
task throws its CancelledError into the aclose() awaitable, which passes it
to the generator at its yield in place of GeneratorExit: the cleanup runs
and sees CancelledError, and the task ends cancelled.  A plain aclose task
lets GeneratorExit end the generator and returns None.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def gen(tag):
    try:
        yield 1
        yield 2
    except BaseException as e:
        trace("gen.caught", tag=tag, exc=e)
        raise
    finally:
        trace("gen.finally", tag=tag)


async def main():
    for tag in ('plain', 'cancelled'):
        g = gen(tag)
        trace("first", tag=tag, value=await anext(g))
        t = asyncio.create_task(g.aclose())
        if tag == 'cancelled':
            trace("cancel", tag=tag, ret=t.cancel())
        try:
            trace("task.result", tag=tag, value=await t)
        except BaseException as e:
            trace("task.caught", tag=tag, exc=e)
        trace("after", tag=tag, cancelled=t.cancelled())
        try:
            await anext(g)
        except BaseException as e:
            trace("anext.after", tag=tag, exc=e)
