"""A second cancel() delivers the first message; uncancel() stops at zero.

Pins tests/sim/test_structured.cpp
TaskCancelRules.SecondCancelDeliversTheFirstMessageAndUncancelStopsAtZero
(SEMANTICS C): both cancel() calls on a waiting task return True, the task
ends with the first message, cancel() on the finished task returns False, and
uncancel() counts down from the two requests to 0 and stays there.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def waiter(f):
    await f


async def main():
    never = asyncio.get_running_loop().create_future()
    t = asyncio.create_task(waiter(never))
    await asyncio.sleep(0)
    first = t.cancel("m1")
    second = t.cancel("m2")
    got = ""
    try:
        await t
    except asyncio.CancelledError as e:
        got = repr(e)
    after = t.cancel()
    u = [t.uncancel() for _ in range(3)]
    trace("counts", first=first, second=second, got=got, after=after, u=u)
