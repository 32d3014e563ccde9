"""A token from a finished task's context is refused in another task (the token keeps its context alive).

Pins tests/sim/test_contextvars.cpp ContextVarRules.TokenFromAFinishedTasksContextIsRefusedInAnotherTask.
"""
import asyncio
import contextvars

from refloop import trace

DEFAULTS = {}

c = contextvars.ContextVar('c')


async def setter():
    return c.set('task')


async def resetter(tok):
    try:
        c.reset(tok)
        trace("reset.ok")
    except ValueError as e:
        trace("reset.refused", exc=e)


async def main():
    tok = await asyncio.create_task(setter())
    await asyncio.create_task(resetter(tok))
