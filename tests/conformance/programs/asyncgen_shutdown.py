"""Async generators still suspended when main returns.

Checks (SEMANTICS F8, F9, G5, H1):
* main leaves two generators suspended at a `yield` (kept alive by a
  module-level list, so they are not finalised when main returns) and one
  task sleeping;
* shutdown order: `run.cancel_all tasks=[Task-1]` and that task's cancelled
  `finally` first, then `run.shutdown_asyncgens`;
* shutdown_asyncgens closes them in first-iteration order (H1: `b` was
  iterated first): one aclose task per generator, created in list order, so
  their `finally` blocks interleave at their awaits (`b` sleeps 1 s, `a`
  sleeps 0.5 s, so `a` ends first); shutdown_asyncgens() itself runs as
  Task-2 (run_until_complete wraps it), the aclose tasks are Task-3 (b)
  and Task-4 (a);
* a generator whose `finally` raises (`a` raises ValueError) is reported as
  `loop.error message=an error occurred during closing of asynchronous
  generator <async_generator object gen> asyncgen=<async_generator object
  gen> exc=ValueError('a')`, from Task-2 once the gather is done.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}

KEEP = []


async def gen(tag, delay):
    try:
        yield tag
    finally:
        trace("gen.finally", tag=tag)
        await asyncio.sleep(delay)
        trace("gen.finally.end", tag=tag)
        if tag == 'a':
            raise ValueError(tag)


async def sleeper():
    try:
        await asyncio.sleep(10)
    finally:
        trace("sleeper.finally")


async def main():
    a = gen('a', 0.5)
    b = gen('b', 1)
    KEEP.extend([a, b])
    trace("next", value=await anext(b))
    trace("next", value=await anext(a))
    asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    trace("main.end")
