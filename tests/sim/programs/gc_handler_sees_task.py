"""The destroyed-pending report goes through the loop's exception handler.

Pins tests/sim/test_gc.cpp GcPoint.ACustomExceptionHandlerGetsTheReportOnce
(SEMANTICS B12, D): the handler set with set_exception_handler gets the
report (with the task, no exception) at the first collection, and the second
collection finds nothing more.
"""
import asyncio

from refloop import trace, gc_point

DEFAULTS = {}


async def holder_waiter(fut):
    trace("waiting")
    await fut
    trace("woke")


async def main():
    loop = asyncio.get_running_loop()

    def handler(loop, context):
        trace("handler", message=context["message"], task=context.get("task", "?"),
              exc="set" if context.get("exception") is not None else "none")

    loop.set_exception_handler(handler)
    t = asyncio.create_task(holder_waiter(loop.create_future()))
    await asyncio.sleep(0)
    del t
    gc_point("a")
    gc_point("b")
