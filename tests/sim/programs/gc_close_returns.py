"""A collected pending task whose coroutine returns from GeneratorExit.

Pins tests/sim/test_gc.cpp
GcPoint.ACoroutineThatReturnsFromGeneratorExitClosesQuietly (SEMANTICS A4,
B12): returning from the close is not an error (no unraisable report); the
destroyed-pending report still follows.
"""
import asyncio

from refloop import trace, gc_point

DEFAULTS = {}


async def returner():
    fut = asyncio.get_running_loop().create_future()
    try:
        await fut
    except GeneratorExit:
        trace("returning")
    return 5


async def main():
    t = asyncio.create_task(returner())
    await asyncio.sleep(0)
    del t
    gc_point("a")
    trace("end")
