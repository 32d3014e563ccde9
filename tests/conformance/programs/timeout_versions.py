"""asyncio.timeout() exits where 3.12 and 3.13 differ.

Checks (SEMANTICS C9):
* `subclass`: the deadline cancels the body, which turns the CancelledError
  into a CancelledError subclass: converted to TimeoutError or passed on;
* `other`: the body turns the deadline's CancelledError into a ValueError:
  the ValueError always propagates; its __context__ chain shows whether a
  TimeoutError was inserted in front of the CancelledError;
* `group`: the same with an ExceptionGroup holding a ValueError raised
  while the CancelledError was handled: the group's chain and its member's
  chain;
* `plain`: the deadline's CancelledError left alone: TimeoutError from it
  on every version (the baseline).

Versions: 3.11.7 as 3.12.1.  3.13.0 converts a CancelledError subclass to
TimeoutError too, and when another exception leaves an expired timeout it
inserts a TimeoutError (cause and context: the CancelledError) into that
exception's context chain, and into each member's chain for an exception
group (Lib/asyncio/timeouts.py _insert_timeout_error).
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


class MyCancelled(asyncio.CancelledError):
    pass


async def body(kind):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        if kind == "subclass":
            raise MyCancelled("mine")
        if kind == "other":
            raise ValueError("other")
        if kind == "group":
            try:
                raise ValueError("member")
            except ValueError as v:
                member = v
            raise ExceptionGroup("eg", [member])
        raise


async def main():
    me = asyncio.current_task()
    for kind in ("subclass", "other", "group", "plain"):
        try:
            async with asyncio.timeout(1):
                await body(kind)
        except BaseException as e:
            trace("caught", case=kind, exc=chain(e), cancelling=me.cancelling())
            if isinstance(e, BaseExceptionGroup):
                trace("member", exc=chain(e.exceptions[0]))
