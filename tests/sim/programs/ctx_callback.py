"""A call_soon callback runs in a copy of the context call_soon was called in.

Pins tests/sim/test_contextvars.cpp ContextVarRules.CallbackRunsInACopyOfTheContextCallSoonWasCalledIn.
"""
import asyncio
import contextvars

from refloop import trace

DEFAULTS = {}

var = contextvars.ContextVar('var', default='dflt')


def cb(tag):
    trace("cb.sees", tag=tag, var=var.get())
    var.set(tag)


async def main():
    loop = asyncio.get_running_loop()
    var.set('main')
    loop.call_soon(cb, 'a')
    loop.call_soon(cb, 'b')
    await asyncio.sleep(0)
    trace("main.sees", var=var.get())
