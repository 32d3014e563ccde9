"""A task that cancels itself.

Checks (SEMANTICS B6d, B9):
* `self_return` calls current_task().cancel('self') (returns True) and then
  returns without awaiting: the return value is dropped and the task ends
  cancelled; awaiting it raises CancelledError('self');
* `self_sleep` cancels itself and then awaits sleep(1): the sleep future is
  cancelled as soon as it is yielded, so CancelledError('self2') arrives at
  that await at time 0, not after a second.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def self_return():
    trace("self.cancel", ret=asyncio.current_task().cancel('self'))
    return 'dropped'


async def self_sleep():
    asyncio.current_task().cancel('self2')
    try:
        await asyncio.sleep(1)
        trace("not.reached")
    except asyncio.CancelledError as e:
        trace("sleep.caught", exc=e)
        raise


async def main():
    for coro in (self_return(), self_sleep()):
        t = asyncio.create_task(coro)
        try:
            await t
        except asyncio.CancelledError as e:
            trace("main.caught", exc=e)
        trace("after", cancelled=t.cancelled(), cancelling=t.cancelling())
