"""copy_context() is a snapshot, and tasks given one context share it.

Pins tests/sim/test_contextvars.cpp ContextVarRules.CopyContextIsASnapshotAndTasksGivenOneContextShareIt.
"""
import asyncio
import contextvars

from refloop import trace

DEFAULTS = {}

var = contextvars.ContextVar('var', default='dflt')


async def writer(tag):
    trace("writer.sees", tag=tag, var=var.get())
    var.set(tag)
    await asyncio.sleep(1)
    trace("writer.after", tag=tag, var=var.get())


async def setter(tag):
    return var.set(tag)


async def resetter(tok):
    var.reset(tok)
    trace("reset.ok", var=var.get())


async def main():
    var.set('main')
    ctx = contextvars.copy_context()
    var.set('main2')
    trace("snapshot", ctx=ctx[var], main=var.get())
    t1 = asyncio.create_task(writer('w1'), context=ctx)
    t2 = asyncio.create_task(writer('w2'), context=ctx)
    await t1
    await t2
    trace("through.ctx", ctx=ctx[var], main=var.get())
    tok = await asyncio.create_task(setter('s'), context=ctx)
    trace("set.in.ctx", ctx=ctx[var])
    await asyncio.create_task(resetter(tok), context=ctx)
    trace("reset.in.ctx", ctx=ctx[var])
    empty = contextvars.Context()
    try:
        empty[var]
    except KeyError as e:
        trace("empty", exc=e)
    await asyncio.create_task(writer('e'), context=empty)
    trace("empty.after", value=empty[var], main=var.get())
