"""KeyboardInterrupt raised by the main task's own step.

Checks (SEMANTICS G4, G5, G7, B11; Lib/asyncio/tasks.py Task.__step,
base_events.py run_until_complete and _run_until_complete_cb):
* Task.__step sets main's exception (queueing main's done callbacks,
  `_run_until_complete_cb` among them) and re-raises: the loop stops in the
  middle of the iteration, `run_until_complete` raises at once;
* the handles left queued (the sleeper's step, the stale
  `_run_until_complete_cb`) run in the first iteration of the shutdown's
  `run_until_complete(gather(...))`; that callback calls main.exception(),
  which marks the exception retrieved (and does not stop the loop: it is a
  KeyboardInterrupt), so no "Task exception was never retrieved" appears;
* the other task is cancelled by the shutdown as usual.

Versions: 3.11.7 and 3.13.0 as 3.12.1.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def sleeper():
    try:
        trace("sleeper.start")
        await asyncio.sleep(5)
    finally:
        trace("sleeper.finally")


async def main():
    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    trace("main.raise")
    raise KeyboardInterrupt
