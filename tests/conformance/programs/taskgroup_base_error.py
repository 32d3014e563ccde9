"""TaskGroup children raising BaseExceptions.

Checks (SEMANTICS D3, D4, D6, B3, G7, G5):
* a child raising a custom BaseException subclass (`Halt`): the group
  aborts like for any error and raises BaseExceptionGroup('unhandled errors
  in a TaskGroup', [Halt('h')]);
* a child raising SystemExit(3): the task step re-raises it out of the
  loop at once (run.exception SystemExit(3)); main is still pending inside
  the group; at shutdown it is cancelled, the group re-raises the base
  error itself (not wrapped) out of main's step, which escapes the
  shutdown (run.shutdown_exception SystemExit(3)).

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace

DEFAULTS = {}


class Halt(BaseException):
    pass


async def child(exc):
    await asyncio.sleep(1)
    raise exc


async def sibling():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        trace("sibling.cancelled", exc=e)
        raise


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child(Halt('h')))
            tg.create_task(sibling())
    except BaseExceptionGroup as e:
        trace("group", exc=e)
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child(SystemExit(3)))
            tg.create_task(sibling())
    finally:
        trace("main.finally")
