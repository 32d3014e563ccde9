"""asyncio.gather().

Checks (SEMANTICS B14, B1):
* results come back in argument order, whatever the finishing order;
* without return_exceptions the first exception (ValueError('g'), 3 s) is
  raised to the awaiter at once, and the other children keep running
  (x at 3.5 s, y at 5 s);
* with return_exceptions=True exceptions are returned in place, and a
  child cancelled on its own shows up as CancelledError('');
* gather(...).cancel('gmsg') cancels the children that are not done and
  the awaiter gets CancelledError('gmsg').

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def val(d, v):
    await asyncio.sleep(d)
    trace("child.done", v=v)
    return v


async def fail(d, e):
    await asyncio.sleep(d)
    raise e


async def main():
    trace("results", r=await asyncio.gather(val(2, 'a'), val(1, 'b'), val(0, 'c')))

    try:
        await asyncio.gather(val(1.5, 'x'), fail(1, ValueError('g')), val(3, 'y'))
    except ValueError as e:
        trace("raised", exc=e)
    await asyncio.sleep(3)

    c = asyncio.create_task(val(5, 'c5'))
    g = asyncio.gather(val(1, 'r1'), fail(1, KeyError('k')), c,
                       return_exceptions=True)
    await asyncio.sleep(0)
    c.cancel()
    trace("return_exceptions", r=await g)

    g2 = asyncio.gather(val(5, 'p'), val(5, 'q'))
    await asyncio.sleep(1)
    trace("cancel.gather", ret=g2.cancel('gmsg'))
    try:
        await g2
    except asyncio.CancelledError as e:
        trace("gather.cancelled", exc=e)
