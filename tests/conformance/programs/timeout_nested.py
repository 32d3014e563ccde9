"""Nested timeouts, and an outside cancel competing with a timeout.

Checks (SEMANTICS C9, C10, B6b, B7):
* inner deadline (1 s) before outer (3 s): the inner converts to
  TimeoutError, the outer is untouched and does not expire;
* outer deadline (1 s) before inner (2 s): the inner passes the
  CancelledError through (not expired), the outer converts;
* `victim`: its timeout(1) fires and main's cancel('outside') comes in the
  same loop iteration (main's own sleep(1) timer pops first, then the
  timeout; main wakes before the victim does): cancelling()==2, uncancel()
  gives 1 > baseline 0, so the CancelledError (message None: the
  timeout's cancel reached the waiter first) wins over TimeoutError;
* `cleaner`: cancelled from outside ('outside', 0.5 s into its timeout(1));
  its finally awaits past the deadline, so the timeout fires too and
  delivers CancelledError() (context: CancelledError('outside')) at that
  await; the count is 2, uncancel() gives 1, so that CancelledError()
  propagates unconverted although expired() is True.

Versions: 3.11.7 and 3.13.0 as 3.12.1.  3.11.2: `<-context-` instead of
`<-cause-` in the two TimeoutError lines.
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


async def victim():
    try:
        async with asyncio.timeout(1) as cm:
            await asyncio.sleep(5)
    except asyncio.CancelledError as e:
        trace("victim.cancelled", exc=chain(e), expired=cm.expired(),
              cancelling=asyncio.current_task().cancelling())
        raise


async def cleaner():
    try:
        async with asyncio.timeout(1) as cm:
            try:
                await asyncio.sleep(5)
            finally:
                await asyncio.sleep(1)
    except asyncio.CancelledError as e:
        trace("cleaner.cancelled", exc=chain(e), expired=cm.expired(),
              cancelling=asyncio.current_task().cancelling())
        raise


async def main():
    me = asyncio.current_task()
    async with asyncio.timeout(3) as outer:
        try:
            async with asyncio.timeout(1) as inner:
                await asyncio.sleep(5)
        except TimeoutError as e:
            trace("inner.first", exc=chain(e), inner=inner.expired(),
                  outer=outer.expired(), cancelling=me.cancelling())
    trace("outer.untouched", expired=outer.expired())

    try:
        async with asyncio.timeout(1) as outer:
            async with asyncio.timeout(2) as inner:
                await asyncio.sleep(5)
    except TimeoutError as e:
        trace("outer.first", exc=chain(e), inner=inner.expired(),
              outer=outer.expired(), cancelling=me.cancelling())

    for fn, delay in ((victim, 1), (cleaner, 0.5)):
        t = asyncio.create_task(fn())
        await asyncio.sleep(delay)
        trace("cancel", ret=t.cancel('outside'))
        try:
            await t
        except asyncio.CancelledError as e:
            trace("main.caught", exc=e, cancelled=t.cancelled())
