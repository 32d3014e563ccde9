"""TaskGroup.create_task() refused.

Checks (SEMANTICS D1, D2, A5):
* on a group that was never entered: RuntimeError('TaskGroup <TaskGroup>
  has not been entered');
* on a group that has finished: RuntimeError('TaskGroup <TaskGroup
  entered> is finished');
* on a group that is shutting down (a child failed, the body is handling
  its CancelledError): RuntimeError('TaskGroup <TaskGroup errors=1
  cancelling> is shutting down');
In each case the refused coroutine was never awaited: on 3.11/3.12 the
"coroutine 'noop' was never awaited" warning comes when it is freed (when
the caught exception and its traceback are released at the end of the
except block); 3.13 closes it instead (no warning).

Versions: 3.11.7 as 3.12.1; 3.13.0 prints no `warning` lines.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def noop():
    trace("noop.ran")


async def failer():
    await asyncio.sleep(1)
    raise ValueError('f')


def try_create(tg, label):
    try:
        tg.create_task(noop())
    except RuntimeError as e:
        trace(label, exc=e)
    trace(label + ".end")


async def main():
    try_create(asyncio.TaskGroup(), "not_entered")

    async with asyncio.TaskGroup() as tg:
        tg.create_task(noop())
    try_create(tg, "finished")

    try:
        async with asyncio.TaskGroup() as tg2:
            tg2.create_task(failer())
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                try_create(tg2, "shutting_down")
                raise
    except ExceptionGroup as e:
        trace("group", exc=e)
