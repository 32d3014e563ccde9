"""An aclose() interrupted by a cancel while the generator's finally awaits.

Checks (SEMANTICS F4, F6; Objects/genobject.c async_gen_athrow_throw):
* the task awaiting aclose() is cancelled while the finally awaits: the
  CancelledError is thrown into the aclose() awaitable, escapes the
  generator (the generator is finished) and the task ends cancelled;
* 3.11/3.12 leave the generator marked running-async when an exception
  thrown into an aclose() awaitable ends the generator (the throw path,
  async_gen_athrow_throw, does not clear ag_running_async; only the send
  path does), so afterwards anext() and asend() raise RuntimeError('anext():
  asynchronous generator is already running'), anext(g, default) too;
  athrow() and aclose() on the finished generator still return None;
* the same when the finally swallows the CancelledError and ends (the
  GeneratorExit then ends the generator, the aclose() returns None and the
  task goes on);
* an interrupted athrow() (not aclose) clears the mark: anext() gives
  StopAsyncIteration;
* so does an aclose() that is not interrupted.

Versions: 3.11.7 as 3.12.1.  3.13.0 clears the mark on the throw path as
well: in the escape and swallow cases anext()/asend() raise
StopAsyncIteration and anext(g, 'dflt') gives 'dflt'.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def gen(tag, swallow):
    try:
        yield 1
        yield 2
    finally:
        trace("gen.finally", tag=tag)
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError as e:
            trace("gen.finally.cancelled", tag=tag, exc=e)
            if not swallow:
                raise
        trace("gen.finally.end", tag=tag)


async def closer(g, tag):
    try:
        await g.aclose()
        trace("closer.returned", tag=tag)
    except asyncio.CancelledError as e:
        trace("closer.cancelled", tag=tag, exc=e)
        raise


async def thrower(g, tag):
    try:
        await g.athrow(KeyError('k'))
    except BaseException as e:
        trace("thrower.raised", tag=tag, exc=e)
        raise


async def probe(g, tag):
    for what, make in (("anext", lambda: anext(g)),
                       ("asend", lambda: g.asend(None)),
                       ("athrow", lambda: g.athrow(ValueError('v'))),
                       ("aclose", lambda: g.aclose()),
                       ("anext.default", lambda: anext(g, 'dflt'))):
        try:
            trace("probe." + what, tag=tag, value=await make())
        except BaseException as e:
            trace("probe." + what, tag=tag, exc=e)


async def interrupt(g, tag, coro_fn):
    trace("first", tag=tag, value=await anext(g))
    t = asyncio.create_task(coro_fn(g, tag))
    await asyncio.sleep(0.5)
    t.cancel('stop')
    try:
        await t
    except BaseException as e:
        trace("task.outcome", tag=tag, exc=e, cancelled=t.cancelled())
    else:
        trace("task.outcome", tag=tag, cancelled=t.cancelled())
    await probe(g, tag)


async def main():
    await interrupt(gen('escape', False), 'escape', closer)
    await interrupt(gen('swallow', True), 'swallow', closer)
    await interrupt(gen('athrow', False), 'athrow', thrower)
    g = gen('plain', False)
    trace("first", tag='plain', value=await anext(g))
    await g.aclose()
    await probe(g, 'plain')
