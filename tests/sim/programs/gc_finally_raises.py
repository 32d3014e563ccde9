"""A collected pending task whose `finally` raises.

Pins tests/sim/test_gc.cpp
GcPoint.AnExceptionOutOfTheCloseIsUnraisableThenTheTaskIsReported (SEMANTICS
A4, B12): close() at the collection ends with ValueError, reported through
sys.unraisablehook, then the destroyed-pending report follows.
"""
import asyncio

from refloop import trace, gc_point

DEFAULTS = {}


async def raiser():
    fut = asyncio.get_running_loop().create_future()
    try:
        await fut
    finally:
        raise ValueError("x")


async def main():
    t = asyncio.create_task(raiser())
    await asyncio.sleep(0)
    del t
    gc_point("a")
    trace("end")
