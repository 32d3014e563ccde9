"""A TaskGroup inside asyncio.timeout() whose children outlive the deadline.

Checks (SEMANTICS C9, D4, D5 [S09]): the body finishes at once, so main
waits inside the group's __aexit__ when timeout(1) fires; the
CancelledError hits that internal await, the group aborts (kid 2 and kid 3
cancelled, creation order; kid 1 already finished at 0.5 s), re-raises the
CancelledError, and the timeout converts it into TimeoutError() from it.
cancelling() is 0 afterwards.

Versions: 3.11.7 and 3.13.0 as 3.12.1.  3.11.2: `<-context-` instead of
`<-cause-`.
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


async def kid(n, d):
    try:
        await asyncio.sleep(d)
        trace("kid.done", n=n)
    except asyncio.CancelledError as e:
        trace("kid.cancelled", n=n, exc=e)
        raise


async def main():
    try:
        async with asyncio.timeout(1) as cm:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(kid(1, 0.5))
                tg.create_task(kid(2, 5))
                tg.create_task(kid(3, 5))
    except TimeoutError as e:
        trace("timeout", exc=chain(e), expired=cm.expired(),
              cancelling=asyncio.current_task().cancelling())
