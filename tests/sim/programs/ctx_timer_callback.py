"""Timer callbacks run in their copy, and the exception handler sees it.

call_later/call_at capture the context too; a task the callback creates
copies the callback's context, a token made there resets there, and 3.12 runs
the custom exception handler in the handle's context.

Pins tests/sim/test_contextvars.cpp ContextVarRules.TimerCallbacksRunInTheirCopyAndTheHandlerSeesIt.
"""
import asyncio
import contextvars

from refloop import trace

DEFAULTS = {}

var = contextvars.ContextVar('var', default='dflt')


async def child():
    trace("child.sees", var=var.get())


def cb(tag):
    trace("cb.sees", tag=tag, var=var.get())
    var.set(tag)
    asyncio.get_running_loop().create_task(child())
    tok = var.set(tag + '2')
    var.reset(tok)
    trace("cb.reset", var=var.get())
    raise ValueError(tag)


def handler(loop, context):
    trace("handler", var=var.get())


async def main():
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(handler)
    var.set('main')
    loop.call_later(1, cb, 'a')
    var.set('main2')
    loop.call_at(loop.time() + 0.5, cb, 'b')
    await asyncio.sleep(2)
    trace("main.sees", var=var.get())
