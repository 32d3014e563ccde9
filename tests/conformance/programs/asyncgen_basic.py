"""Async generators: async for, anext, asend, exhaustion.

Checks (SEMANTICS F1, F2):
* calling an async generator function runs nothing and fires no hook; the
  firstiter hook (`asyncgen.firstiter name=...`) fires when the first
  awaitable is created (`anext(g)` before it is awaited: `awaitable.made`
  comes after the hook line);
* `async for` receives the yielded values; the body may await between
  yields; a `return` ends iteration (StopAsyncIteration caught by the loop);
* anext() on an exhausted generator raises StopAsyncIteration();
  anext(g, default) returns the default instead;
* asend(v) resumes with the yield expression evaluating to v;
* an exhausted generator is closed (ag_closed): freeing it calls no
  finalizer hook;
* asend(non-None) before the start is a TypeError, but it created an
  awaitable, so firstiter fired; the generator stays unstarted and not
  closed, so freeing it calls the finalizer hook (`asyncgen.finalizer`, in
  main, at the `del`); the aclose task it schedules (Task-1) finds an
  unstarted generator and does nothing visible.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def count(n):
    trace("count.start", n=n)
    for i in range(n):
        yield i
        await asyncio.sleep(1)
    trace("count.return")
    return


async def echo():
    got = yield 'ready'
    while got is not None:
        trace("echo.got", got=got)
        got = yield got * 10
    trace("echo.end")


async def main():
    g = count(2)
    trace("created")
    async for v in g:
        trace("item", v=v)
    try:
        await anext(g)
    except StopAsyncIteration as e:
        trace("exhausted", exc=e)
    trace("default", value=await anext(g, 'dflt'))
    del g
    trace("freed")

    g = echo()
    a = anext(g)
    trace("awaitable.made")
    trace("first", value=await a)
    trace("sent", value=await g.asend(1))
    trace("sent", value=await g.asend(2))
    try:
        await g.asend(None)
    except StopAsyncIteration as e:
        trace("stopped", exc=e)
    del g

    g = echo()
    try:
        await g.asend(5)
    except TypeError as e:
        trace("asend.early", exc=e)
    del g
    trace("freed.early")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    trace("end")
