"""BoundedSemaphore over-release and a negative Semaphore value raise ValueError.

Pins tests/sim/test_sync.cpp SemaphoreRules.BoundedSemaphoreOverReleaseAndNegativeValueRaise.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def main():
    b = asyncio.BoundedSemaphore(1)
    await b.acquire()
    b.release()
    try:
        b.release()
    except ValueError as e:
        trace("error", e=e, sem=b)
    try:
        asyncio.Semaphore(-1)
    except ValueError as e:
        trace("error", e=e)
