"""The catch-then-await idiom: an `except Exception` block that awaits.

Checks (SEMANTICS C1, C2, C5):
* `worker('plain')` catches ValueError and awaits in the handler (say, to
  report it); cancelled there, CancelledError arrives at that await with the
  ValueError as __context__, escapes, and the task ends cancelled;
* `worker('swallow')` does the same but its handler catches the
  CancelledError and returns 'handled': the task is not cancelled and
  cancelling() stays 1.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


async def worker(mode):
    try:
        await asyncio.sleep(1)
        raise ValueError(mode)
    except Exception as e:
        trace("except.enter", exc=e)
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError as c:
            trace("except.cancelled", exc=chain(c))
            if mode == 'swallow':
                return 'handled'
            raise
        trace("not.reached")


async def main():
    for mode in ('plain', 'swallow'):
        t = asyncio.create_task(worker(mode))
        await asyncio.sleep(2)
        t.cancel()
        try:
            trace("main.result", value=await t)
        except asyncio.CancelledError as e:
            trace("main.caught", exc=chain(e))
        trace("after", cancelled=t.cancelled(), cancelling=t.cancelling())
