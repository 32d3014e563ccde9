"""A task cancelled before its first step.

Checks (SEMANTICS B6a, A3): the CancelledError is thrown into the
not-yet-started coroutine, so its body never runs (no `body.ran` line) and
no "coroutine was never awaited" warning appears; two cancels before the
first step give cancelling()==2; the CancelledError delivered carries the
message of the *last* cancel (the pending _cancel_message is overwritten,
there is no waiter to carry the first one).

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def body():
    trace("body.ran")


async def main():
    t = asyncio.create_task(body())
    trace("cancel", first=t.cancel(), second=t.cancel('second'),
          cancelling=t.cancelling())
    try:
        await t
    except asyncio.CancelledError as e:
        trace("main.caught", exc=e)
    trace("after", cancelled=t.cancelled(), cancelling=t.cancelling())
