"""A task cancelled while its finally block awaits, with ValueError in flight.

Checks (SEMANTICS C1, C2, B10): the body raises ValueError('body'); the
finally block awaits sleep(5) and the task is cancelled there (at 1 s).
The CancelledError('c1') is raised at that await with the ValueError as
__context__; it propagates, the ValueError is lost and the task ends
cancelled.  The awaiter receives the same CancelledError object, context
included.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


async def body():
    try:
        raise ValueError('body')
    finally:
        trace("finally.enter")
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError as e:
            trace("finally.caught", exc=chain(e))
            raise


async def main():
    t = asyncio.create_task(body())
    await asyncio.sleep(1)
    trace("cancel", ret=t.cancel('c1'))
    try:
        await t
    except asyncio.CancelledError as e:
        trace("main.caught", exc=chain(e))
    trace("after", cancelled=t.cancelled(), cancelling=t.cancelling())
