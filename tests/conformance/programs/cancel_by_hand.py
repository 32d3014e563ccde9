"""A CancelledError raised by hand, and retrieving a cancelled task's outcome.

Checks (SEMANTICS B9, B10):
* `raise asyncio.CancelledError('x')` escaping the coroutine makes the task
  cancelled although cancel() was never called: cancelling()==0;
* the first retrieval (here `await t`) raises the very exception object that
  escaped, CancelledError('x') (`first.same=True`); later retrievals
  (result(), exception(), another await) raise a fresh CancelledError()
  with no message.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def by_hand(box):
    await asyncio.sleep(0)
    box.append(asyncio.CancelledError('x'))
    raise box[0]


async def main():
    box = []
    t = asyncio.create_task(by_hand(box))
    try:
        await t
    except asyncio.CancelledError as e:
        trace("first", exc=e, same=e is box[0])
    trace("state", cancelled=t.cancelled(), cancelling=t.cancelling())
    for how in ('result', 'exception', 'await'):
        try:
            if how == 'await':
                await t
            else:
                getattr(t, how)()
        except asyncio.CancelledError as e:
            trace("later", how=how, exc=e, same=e is box[0])
