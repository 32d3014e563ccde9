"""Equal timers come out of the heap in heapq order, not FIFO.

Checks (SEMANTICS G1, G2):
* main schedules n callbacks with call_later(1, cb, i), all with the same
  `when`, then sleeps 2 s, which pushes its own timer (when=2) onto the heap;
* at t=1 all n are due in the same iteration and are moved to the ready
  queue in heap-pop order (TimerHandle compares `when` only, no tie-break),
  so with n=8 and main's timer in the heap they fire 0,2,6,5,7,1,3,4;
* the callbacks run with no current task (G8), so their lines show '-'.
"""
import asyncio

from refloop import trace

DEFAULTS = {'n': 8}


def cb(i):
    trace("fire", i=i)


async def main(n=8):
    loop = asyncio.get_running_loop()
    for i in range(n):
        loop.call_later(1, cb, i)
    await asyncio.sleep(2)
    trace("done")
