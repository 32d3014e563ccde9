"""gc_point() leaves a task whose future a running task (main) still holds.

Pins tests/sim/test_gc.cpp GcPoint.LeavesATaskWhoseFutureARunningTaskStillHolds
(SEMANTICS B12, H2): Task-1 awaits `fut`, main drops its reference to the
task but keeps `fut`; the collection at `a` finds nothing, and setting the
future later wakes the task.
"""
import asyncio

from refloop import trace, gc_point

DEFAULTS = {}


async def holder_waiter(fut):
    trace("waiting")
    await fut
    trace("woke")


async def main():
    fut = asyncio.get_running_loop().create_future()
    t = asyncio.create_task(holder_waiter(fut))
    await asyncio.sleep(0)
    del t
    gc_point("a")
    fut.set_result(None)
    await asyncio.sleep(0)
    trace("end")
