"""A task copies its creator's context at creation; siblings are isolated.

Pins tests/sim/test_contextvars.cpp ContextVarRules.TaskCopiesItsCreatorsContextAtCreationAndSiblingsAreIsolated.
"""
import asyncio
import contextvars

from refloop import trace

DEFAULTS = {}

var = contextvars.ContextVar('var', default='dflt')


async def child(tag):
    trace("child.sees", tag=tag, var=var.get())
    var.set(tag)
    await asyncio.sleep(1)
    trace("child.after", tag=tag, var=var.get())


async def main():
    var.set('before')
    t1 = asyncio.create_task(child('c1'))
    var.set('after')
    t2 = asyncio.create_task(child('c2'))
    trace("parent", var=var.get())
    await asyncio.sleep(0)
    trace("parent.mid", var=var.get())
    await t1
    await t2
    trace("parent.end", var=var.get())
