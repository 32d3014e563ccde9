"""Held-out: async generators that swallow what asend/athrow/aclose deliver.

Adapted from CPython 3.12 Lib/test/test_asyncgen.py::AsyncGenAsyncioTest::
test_async_gen_asyncio_anext_06, ::test_async_gen_asyncio_athrow_03,
::test_async_gen_asyncio_aclose_10, ::test_async_gen_asyncio_aclose_11,
::test_async_gen_asyncio_aclose_12, ::test_async_gen_await_same_anext_coro_twice
and ::test_async_gen_aclose_twice_with_different_coros.

Checks:
* anext_06: a generator `try: yield / except: pass` resumed by a second
  asend(None) is not thrown into; it returns, so asend raises
  StopAsyncIteration();
* athrow_03: athrow(ValueError) is swallowed by the bare except and the
  generator returns: athrow raises StopAsyncIteration() (the class
  ValueError is instantiated: the generator sees ValueError());
* aclose_10: aclose() whose GeneratorExit() is swallowed, the generator
  then returning, completes normally (None);
* aclose_11: swallowed, then the generator yields again: aclose raises
  RuntimeError('async generator ignored GeneratorExit') and the code
  after that yield never runs;
* aclose_12: the generator created a task (Task-1: sleep 1 s, then 1/0)
  before its yield; aclose() runs the `finally`, which awaits that task
  and catches its ZeroDivisionError: aclose returns None at 1000 ms;
* awaiting the same anext() awaitable twice: RuntimeError('cannot reuse
  already awaited __anext__()/asend()'); the generator is untouched and
  can be closed;
* aclose() twice (fresh awaitables) on a never-started generator: both
  return None, no generator code runs.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def swallow(tag, again):
    try:
        yield 1
    except BaseException as e:
        trace("gen.swallowed", tag=tag, exc=e)
    if again:
        yield 2
        trace("gen.unreached", tag=tag)
    trace("gen.return", tag=tag)


async def target():
    await asyncio.sleep(1)
    1 / 0


async def with_task():
    task = asyncio.create_task(target())
    try:
        yield 1
    finally:
        trace("gen.finally")
        try:
            await task
        except ZeroDivisionError as e:
            trace("gen.task_failed", exc=e)


async def two():
    yield 1
    yield 2


async def main():
    g = swallow('anext_06', False)
    trace("asend", value=await g.asend(None))
    try:
        await g.asend(None)
    except StopAsyncIteration as e:
        trace("asend.stop", exc=e)

    g = swallow('athrow_03', False)
    trace("asend", value=await g.asend(None))
    try:
        await g.athrow(ValueError)
    except StopAsyncIteration as e:
        trace("athrow.stop", exc=e)

    g = swallow('aclose_10', False)
    trace("asend", value=await g.asend(None))
    trace("aclose", value=await g.aclose())

    g = swallow('aclose_11', True)
    trace("asend", value=await g.asend(None))
    try:
        await g.aclose()
    except RuntimeError as e:
        trace("aclose.ignored", exc=e)

    g = with_task()
    trace("anext", value=await anext(g))
    trace("aclose", value=await g.aclose())

    g = two()
    nxt = g.__anext__()
    trace("anext", value=await nxt)
    try:
        await nxt
    except RuntimeError as e:
        trace("anext.reuse", exc=e)
    trace("aclose", value=await g.aclose())

    g = two()
    trace("aclose.unstarted", value=await g.aclose())
    trace("aclose.unstarted", value=await g.aclose())
    trace("end")
