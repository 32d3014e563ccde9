"""A token used twice, for another variable or from another context is refused with CPython's messages.

Pins tests/sim/test_contextvars.cpp ContextVarRules.TokenUsedTwiceOtherVariableOrOtherContextIsRefusedWithCPythonsMessages.
"""
import asyncio
import contextvars

from refloop import trace

DEFAULTS = {}

c = contextvars.ContextVar('c')
d = contextvars.ContextVar('d')


async def setter():
    return c.set('task')


async def main():
    t = c.set('a')
    c.reset(t)
    try:
        c.reset(t)
    except RuntimeError as e:
        trace("used", exc=e)
    try:
        d.reset(t)  # used is checked before the variable
    except RuntimeError as e:
        trace("used.other.var", exc=e)
    t2 = c.set('b')
    try:
        d.reset(t2)
    except ValueError as e:
        trace("other.var", exc=e)
    trace("still", value=c.get(), token=t2)
    tok = await asyncio.create_task(setter())
    try:
        c.reset(tok)
    except ValueError as e:
        trace("other.ctx", exc=e)
    trace("main.sees", value=c.get())
    c.reset(t2)
    trace("end", value=c.get('none'))
