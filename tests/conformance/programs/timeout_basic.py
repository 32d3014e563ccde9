"""asyncio.timeout() and timeout_at().

Checks (SEMANTICS C8, C9, C12):
* timeout(1) around sleep(5): at 1 s the task is cancelled (no message),
  __aexit__ converts it to TimeoutError() raised `from` the
  CancelledError (chain shows <-cause-); expired() turns True; when() was
  entry time + 1; cancelling() is back to 0; repr `<Timeout [expired]>`;
* reschedule() to a later deadline while inside: the block survives past
  the old deadline and expires at the new one;
* timeout_at(now + 1) around a shorter sleep: no expiry, repr
  `<Timeout [finished]>`; reschedule() after exit raises RuntimeError.
Deadlines are traced in whole ms (`when_ms`).

Versions: 3.11.7 and 3.13.0 as 3.12.1.  3.11.2 (before gh-102780):
`<-context-` instead of `<-cause-` (plain `raise TimeoutError`).
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


def ms(t):
    return round(t * 1000)


async def main():
    loop = asyncio.get_running_loop()
    me = asyncio.current_task()
    try:
        async with asyncio.timeout(1) as cm:
            trace("enter", when_ms=ms(cm.when()), expired=cm.expired())
            await asyncio.sleep(5)
    except TimeoutError as e:
        trace("expired", exc=chain(e), expired=cm.expired(),
              cancelling=me.cancelling(), repr=repr(cm))

    try:
        async with asyncio.timeout(1) as cm:
            await asyncio.sleep(0.5)
            cm.reschedule(loop.time() + 2)
            trace("rescheduled", when_ms=ms(cm.when()))
            await asyncio.sleep(1)
            trace("past.old.deadline", expired=cm.expired())
            await asyncio.sleep(5)
    except TimeoutError as e:
        trace("expired2", exc=chain(e), expired=cm.expired())

    async with asyncio.timeout_at(loop.time() + 1) as cm:
        await asyncio.sleep(0.5)
    trace("timeout_at", when_ms=ms(cm.when()), expired=cm.expired(),
          repr=repr(cm))
    try:
        cm.reschedule(None)
    except RuntimeError as e:
        trace("reschedule.after.exit", exc=e)
