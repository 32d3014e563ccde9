"""A custom loop exception handler, and the default one.

Checks (SEMANTICS G6, G8, G9):
* an exception escaping a plain call_soon callback is caught by
  Handle._run and reported as "Exception in callback bad(1)" with keys
  exception, handle, message; the loop goes on (main keeps running);
* with loop.set_exception_handler(custom) the custom handler receives it
  (traced with task `-`: the handle runs outside any task) instead of the
  default handler; get_exception_handler() returns it (the handler traces
  the canonicalised message, see README H6);
* a handler that raises: the error goes to the default handler as
  "Unhandled error in exception handler" with keys context, exception;
* set_exception_handler(None) restores the default handler (a
  `loop.error` line for the next failing callback).

Versions: 3.11.7 as 3.12.1.  3.13.0 leaves the arguments out of the
callback text: "Exception in callback bad()" / handle=<Handle bad()>.
"""
import asyncio

from refloop import canon, trace

DEFAULTS = {}


def bad(n):
    trace("bad", n=n)
    raise ValueError(n)


def custom(loop, context):
    trace("handler", keys=sorted(context), message=canon(context["message"]),
          handle=context.get("handle"), exc=context.get("exception"))
    if context["message"] == "raise":
        raise KeyError('in handler')


async def main():
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(custom)
    trace("installed", same=loop.get_exception_handler() is custom)
    loop.call_soon(bad, 1)
    await asyncio.sleep(0)
    trace("after.custom")
    loop.call_exception_handler({"message": "raise"})
    trace("after.raise")
    loop.set_exception_handler(None)
    trace("restored", handler=loop.get_exception_handler())
    loop.call_soon(bad, 2)
    await asyncio.sleep(0)
    trace("after.default")
