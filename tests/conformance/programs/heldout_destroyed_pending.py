"""Held-out: a pending task whose only reference is its future's wakeup callback.

Adapted from CPython 3.12 Lib/test/test_asyncio/test_tasks.py::BaseTaskTests::
test_log_destroyed_pending_task (gc_point() stands for support.gc_collect(); the
loop is not in debug mode, so the context has no source_traceback).

Checks (SEMANTICS A6, B12, H2):
* before the collection the task is in all_tasks() (with main);
* dropping the last outside reference frees nothing by itself (no report at
  `released`);
* at the collection the custom exception handler receives exactly the keys
  message and task, with "Task was destroyed but it is pending!"; the code
  after the await never runs;
* afterwards all_tasks() holds main only, and a second collection finds
  nothing.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace, gc_point

DEFAULTS = {}


async def kill_me():
    future = asyncio.get_running_loop().create_future()
    await future
    # at this point, the only reference to the kill_me() task is the
    # Task.__wakeup() method in future._callbacks
    trace("never.reached")
    raise Exception("code never reached")


def handler(loop, context):
    trace("handler", keys=sorted(context), message=context["message"],
          task=context["task"])


async def main():
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(handler)
    task = asyncio.create_task(kill_me())
    trace("tasks", n=len(asyncio.all_tasks()))
    await asyncio.sleep(0)
    task = None
    trace("released", task=task)
    gc_point("collect")
    trace("tasks", n=len(asyncio.all_tasks()))
    gc_point("again")
    loop.set_exception_handler(None)
    trace("end")
