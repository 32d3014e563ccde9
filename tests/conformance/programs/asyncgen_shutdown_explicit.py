"""loop.shutdown_asyncgens() called by the program, as asyncio.run calls it.

Checks (SEMANTICS F8, F9, G5):
* an explicit `await loop.shutdown_asyncgens()` closes every generator the
  firstiter hook registered (`a` runs its `finally`), in a gather of aclose()
  tasks, so it consumes Task-N numbers like any task;
* a second call finds nothing left and returns at once (no task made);
* a generator first iterated after a call warns `ResourceWarning`
  ('... was scheduled after loop.shutdown_asyncgens() call') and is still
  registered, so the next call (and asyncio.run's own at the end) closes it;
* a generator running in another task (awaiting inside its body) when the
  call comes: its aclose() raises RuntimeError('aclose(): asynchronous
  generator is already running'), reported through the exception handler as
  'an error occurred during closing of asynchronous generator ...'; the
  generator is forgotten all the same and goes on for its task;
* asyncio.run's final shutdown_asyncgens closes `d`, the one left open after
  the last explicit call (`run.shutdown_asyncgens`).

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}

KEEP = []


async def gen(tag):
    try:
        yield 1
        yield 2
    finally:
        trace("gen.finally", tag=tag)


async def slow_gen():
    try:
        await asyncio.sleep(1)
        yield 'slow'
    finally:
        trace("slow_gen.finally")


async def next_of(g):
    return await anext(g)


async def main():
    loop = asyncio.get_running_loop()
    a = gen('a')
    KEEP.append(a)
    trace("next", value=await anext(a))
    await loop.shutdown_asyncgens()
    trace("shutdown.first")
    await loop.shutdown_asyncgens()
    trace("shutdown.second")
    b = gen('b')
    KEEP.append(b)
    trace("next", value=await anext(b))
    c = slow_gen()
    t = asyncio.create_task(next_of(c))
    await asyncio.sleep(0)
    await loop.shutdown_asyncgens()
    trace("shutdown.third")
    trace("next", value=await t)
    try:
        await anext(c)
    except StopAsyncIteration:
        trace("c.exhausted")
    d = gen('d')
    KEEP.append(d)
    trace("next", value=await anext(d))
    trace("main.end")
