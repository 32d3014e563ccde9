"""Queue nowait errors and task_done() called too many times.

Pins tests/sim/test_sync.cpp QueueRules.NowaitErrorsAndTaskDoneCalledTooManyTimes.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def main():
    q = asyncio.Queue(1)
    try:
        q.get_nowait()
    except asyncio.QueueEmpty as e:
        trace("error", e=e)
    q.put_nowait(1)
    try:
        q.put_nowait(2)
    except asyncio.QueueFull as e:
        trace("error", e=e)
    trace("state", size=q.qsize(), full=q.full(), empty=q.empty(), q=q)
    v = q.get_nowait()
    q.task_done()
    try:
        q.task_done()
    except ValueError as e:
        trace("error", e=e, v=v)
    await q.join()
    trace("joined")
