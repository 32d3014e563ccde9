"""KeyboardInterrupt raised by a task other than main, nobody awaiting it.

Checks (SEMANTICS G5, G7, B11):
* the child's step sets its exception and re-raises: the loop stops
  mid-iteration and run() reports it (`run.exception`), main still pending;
* the shutdown cancels main (pending) and gathers it;
* the child's exception was never retrieved (gather did not include it: it
  is done, not in all_tasks), so freeing the child reports "Task exception
  was never retrieved" when the runner drops its tasks.

Versions: 3.11.7 and 3.13.0 as 3.12.1.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def child():
    trace("child.raise")
    raise KeyboardInterrupt


async def main():
    asyncio.create_task(child())
    try:
        await asyncio.sleep(5)
    finally:
        trace("main.finally")
