"""Held-out: an async generator whose body fails while driven by asend()/athrow().

Adapted from CPython 3.12 Lib/test/test_asyncgen.py::AsyncGenAsyncioTest::
test_async_gen_asyncio_asend_02, ::test_async_gen_asyncio_asend_03 and
::test_async_gen_asyncio_athrow_02 (delays scaled to exact binary values).

Checks:
* asend(None) starts the generator (it sleeps 1 s before its first yield);
* asend(100) resumes it at `v = yield 1`; the body then awaits a helper
  that raises ZeroDivisionError (`crash`): the generator's `finally` (two
  awaits, 2 s) runs inside main before asend() raises the error;
* `cancel`: the helper awaits a task (Task-1, sleep 1 s) that a call_later
  callback cancels after 0.5 s: the CancelledError travels out of the
  generator through asend(), after its `finally`; main itself was not
  cancelled (cancelling() stays 0) and carries on;
* `athrow`: athrow(FooEr) is caught by the generator, whose `except`
  handler awaits the cancelled helper: the CancelledError (context FooEr)
  leaves athrow() after the `finally`;
* after each failure the generator is finished: anext(g, default) gives
  the default.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


class FooEr(Exception):
    pass


async def sleep_n_crash(delay):
    await asyncio.sleep(delay)
    1 / 0


async def sleep_n_cancel(delay):
    fut = asyncio.ensure_future(asyncio.sleep(delay))
    asyncio.get_running_loop().call_later(delay / 2, fut.cancel)
    return await fut


async def gen(how):
    try:
        await asyncio.sleep(1)
        try:
            v = yield 1
        except FooEr as e:
            trace("gen.caught", how=how, exc=e)
            await sleep_n_cancel(1)
            v = 0
        trace("gen.resumed", how=how, v=v)
        if how == 'crash':
            await sleep_n_crash(1)
        else:
            await sleep_n_cancel(1)
        trace("gen.unreached", how=how)
        yield v * 2
    finally:
        trace("gen.finally", how=how)
        await asyncio.sleep(1)
        await asyncio.sleep(1)
        trace("gen.finally.end", how=how)


async def main():
    for how in ('crash', 'cancel', 'athrow'):
        g = gen(how)
        trace("asend", how=how, value=await g.asend(None))
        try:
            if how == 'athrow':
                await g.athrow(FooEr)
            else:
                await g.asend(100)
        except ZeroDivisionError as e:
            trace("raised", how=how, exc=chain(e))
        except asyncio.CancelledError as e:
            trace("cancelled", how=how, exc=chain(e),
                  cancelling=asyncio.current_task().cancelling())
        trace("after", how=how, value=await anext(g, 'exhausted'))
