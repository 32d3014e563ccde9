"""A custom handler sees the reports; a raising one goes to the default; None resets (SEMANTICS G9).

Pins tests/sim/test_diagnostics.cpp DiagnosticsRules.CustomHandlerSeesReportsARaisingOneGoesToTheDefaultAndNoneResets.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def boom(tag):
    raise ValueError(tag)


def custom(loop, context):
    trace("handler", message=context["message"], exc=context.get("exception"),
          keys=sorted(k for k in context if k not in ("message", "exception")),
          future=context.get("future"))


def raising(loop, context):
    trace("raising", message=context["message"])
    raise KeyError('in handler')


async def main():
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(custom)
    t = asyncio.create_task(boom('lost'))
    await asyncio.sleep(0)
    del t
    trace("after.task")
    loop.call_exception_handler({"message": "by hand", "exception": ValueError('v'), "detail": "x"})
    loop.set_exception_handler(raising)
    loop.call_exception_handler({"message": "raise"})
    trace("after.raise")
    loop.set_exception_handler(None)
    trace("reset", handler=loop.get_exception_handler())
    loop.call_exception_handler({"message": "default", "detail": "y"})
    trace("end")
