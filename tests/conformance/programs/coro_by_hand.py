"""Driving a coroutine by hand: send, throw and close in every state.

Checks (SEMANTICS A1-A7; Objects/genobject.c gen_send_ex2, _gen_throw,
gen_close, _PyGen_Finalize; Lib/asyncio/futures.py Future.__await__):
* A2: a non-None first send raises TypeError and leaves the coroutine
  CREATED (dropped, it still warns "never awaited");
* send(None) runs it until it yields: None at a bare yield (sleep(0)), the
  future itself at `await fut`; its return value arrives as StopIteration;
* once finished, send and throw raise RuntimeError('cannot reuse already
  awaited coroutine') (throw does not raise what it was given), close does
  nothing;
* A3: throw before the first send raises at once, runs nothing, closes it,
  no warning; A4: close before the first send closes it, no warning;
* throw into a suspended coroutine raises at its await: caught, the
  coroutine goes on to its next yield; uncaught, it escapes and closes it;
* close on a suspended coroutine throws GeneratorExit there (its finally
  runs); cleanup that raises something else raises that from close(); a
  cleanup that awaits (yields) again raises RuntimeError('coroutine ignored
  GeneratorExit') and leaves it suspended at the new await (A6);
* resuming `await fut` before fut is done raises RuntimeError("await wasn't
  used with future") inside the coroutine;
* a suspended coroutine dropped is closed by its finaliser; one that
  ignores GeneratorExit then is reported through sys.unraisablehook;
* the code runs in the task that calls send(): trace lines name `main`.

Versions: 3.11.7 and 3.13.0 as 3.12.1.
"""
import asyncio
import inspect

from refloop import trace

DEFAULTS = {}


def state(c):
    return inspect.getcoroutinestate(c)


async def simple(tag):
    trace("simple.start", tag=tag)
    await asyncio.sleep(0)
    trace("simple.resumed", tag=tag)
    return tag + '-value'


async def catcher():
    try:
        await asyncio.sleep(0)
    except KeyError as e:
        trace("catcher.caught", exc=e)
    await asyncio.sleep(0)
    return 'caught'


async def cleanup(tag):
    try:
        trace("cleanup.start", tag=tag)
        await asyncio.sleep(0)
        trace("cleanup.resumed", tag=tag)
    finally:
        trace("cleanup.finally", tag=tag)


async def ignorer(tag):
    try:
        await asyncio.sleep(0)
    finally:
        trace("ignorer.finally", tag=tag)
        await asyncio.sleep(0)
        trace("ignorer.after", tag=tag)


async def raiser():
    try:
        await asyncio.sleep(0)
    except GeneratorExit:
        raise ValueError('in close')


async def waits(fut):
    try:
        return await fut
    except RuntimeError as e:
        trace("waits.error", exc=e)
        raise


async def main():
    c = simple('a')
    try:
        c.send(1)
    except TypeError as e:
        trace("send.early", exc=e, state=state(c))
    trace("send.first", yielded=c.send(None), state=state(c))
    try:
        c.send(None)
    except StopIteration as e:
        trace("send.done", value=e.value, state=state(c))
    try:
        c.send(None)
    except RuntimeError as e:
        trace("send.finished", exc=e)
    try:
        c.throw(ValueError('late'))
    except RuntimeError as e:
        trace("throw.finished", exc=e)
    c.close()
    trace("close.finished", state=state(c))

    c = simple('b')
    try:
        c.throw(KeyError('early'))
    except KeyError as e:
        trace("throw.early", exc=e, state=state(c))
    c = simple('c')
    c.close()
    trace("close.early", state=state(c))
    try:
        c.send(None)
    except RuntimeError as e:
        trace("send.after_close", exc=e)

    c = catcher()
    c.send(None)
    trace("throw.caught", yielded=c.throw(KeyError('k')), state=state(c))
    try:
        c.send(None)
    except StopIteration as e:
        trace("catcher.done", value=e.value)
    c = simple('d')
    c.send(None)
    try:
        c.throw(ValueError('in'))
    except ValueError as e:
        trace("throw.escaped", exc=e, state=state(c))

    c = cleanup('e')
    c.send(None)
    c.close()
    trace("close.suspended", state=state(c))
    c = raiser()
    c.send(None)
    try:
        c.close()
    except ValueError as e:
        trace("close.raised", exc=e, state=state(c))
    c = ignorer('f')
    c.send(None)
    try:
        c.close()
    except RuntimeError as e:
        trace("close.ignored", exc=e, state=state(c))
    c.close()
    trace("close.again", state=state(c))

    fut = asyncio.get_running_loop().create_future()
    c = waits(fut)
    trace("future.yielded", same=c.send(None) is fut, state=state(c))
    fut.set_result(5)
    try:
        c.send(None)
    except StopIteration as e:
        trace("future.value", value=e.value)
    c = waits(asyncio.get_running_loop().create_future())
    c.send(None)
    try:
        c.send(None)
    except RuntimeError as e:
        trace("future.early", exc=e, state=state(c))

    c = cleanup('g')
    c.send(None)
    trace("drop.cleanup")
    del c
    c = ignorer('h')
    c.send(None)
    trace("drop.ignorer")
    del c
    c = simple('i')
    try:
        c.send('x')
    except TypeError:
        pass
    trace("drop.created")
    del c
    trace("end")
