"""Held-out: StopAsyncIteration raised inside an async generator, and a
generator that awaits anext() on itself.

Adapted from CPython 3.12 Lib/test/test_asyncgen.py::AsyncGenTest::
test_async_gen_exception_05 and ::test_async_gen_exception_12 (run on the
asyncio loop instead of by hand).

Checks:
* exception_05: a generator that yields 123 and then executes `raise
  StopAsyncIteration` does not end `async for` quietly: the exception is
  replaced by RuntimeError('async generator raised StopAsyncIteration')
  whose __cause__ is the StopAsyncIteration() (PEP 479 for async
  generators); the generator is finished afterwards;
* the same conversion when the StopAsyncIteration is raised by the
  `finally` while aclose() runs: aclose() raises the RuntimeError (it does
  not treat it as a clean close);
* a StopAsyncIteration raised by a helper coroutine the generator awaits is
  converted the same way;
* exception_12: a generator whose body awaits anext() on itself gets
  RuntimeError('anext(): asynchronous generator is already running') at
  that await, inside its own frame; uncaught, it leaves the outer anext()
  unchanged (no conversion), and the generator is finished.

main catches Exception rather than RuntimeError so that a runtime raising
the wrong type shows it in the trace instead of failing the run.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


async def raiser():
    yield 123
    trace("gen.raising")
    raise StopAsyncIteration


async def helper():
    await asyncio.sleep(1)
    raise StopAsyncIteration('helper')


async def via_helper():
    yield 1
    await helper()
    yield 2


async def closer():
    try:
        yield 1
    finally:
        trace("gen.finally")
        raise StopAsyncIteration('in finally')


ME = []


async def selfish():
    trace("gen.selfish")
    try:
        await anext(ME[0])
    except RuntimeError as e:
        trace("gen.refused", exc=e)
        raise
    yield 123


async def main():
    g = raiser()
    try:
        async for v in g:
            trace("item", v=v)
    except Exception as e:
        trace("raised", exc=chain(e))
    trace("after", value=await anext(g, 'exhausted'))

    g = via_helper()
    trace("anext", value=await anext(g))
    try:
        await anext(g)
    except Exception as e:
        trace("raised", exc=chain(e))
    trace("after", value=await anext(g, 'exhausted'))

    g = closer()
    trace("anext", value=await anext(g))
    try:
        await g.aclose()
        trace("aclose.clean")
    except Exception as e:
        trace("aclose.raised", exc=chain(e))
    trace("after", value=await anext(g, 'exhausted'))

    ME.append(selfish())
    try:
        await anext(ME[0])
    except Exception as e:
        trace("selfish.raised", exc=chain(e))
    trace("after", value=await anext(ME[0], 'exhausted'))
    ME.clear()
    trace("end")
