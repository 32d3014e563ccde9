"""Cancellation while cleanup awaits, caught, and another cancel during the
next await of that cleanup.

Checks (SEMANTICS C1, C3, C4): cancel 'c1' (1 s) hits the body's sleep; the
finally block awaits sleep(5) and cancel 'c2' (2 s) hits it, with
CancelledError('c1') as __context__; the cleanup catches it and awaits
again, and cancel 'c3' (3 s) arrives there, chained c3 <- c2 <- c1.  That
one escapes: the task ends cancelled with cancelling()==3.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


async def body():
    try:
        await asyncio.sleep(10)
    finally:
        trace("finally.enter")
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError as e:
            trace("cleanup.caught", exc=chain(e))
            await asyncio.sleep(5)
            trace("not.reached")


async def main():
    t = asyncio.create_task(body())
    for msg in ('c1', 'c2', 'c3'):
        await asyncio.sleep(1)
        trace("cancel", msg=msg, ret=t.cancel(msg))
    try:
        await t
    except asyncio.CancelledError as e:
        trace("main.caught", exc=chain(e))
    trace("after", cancelled=t.cancelled(), cancelling=t.cancelling())
