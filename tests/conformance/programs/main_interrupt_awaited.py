"""KeyboardInterrupt from main's step while another task awaits main.

Checks (SEMANTICS G5, G7, B4):
* main's done callbacks are queued in registration order: the watcher's
  wakeup (registered first) and the stale `_run_until_complete_cb`;
* `_cancel_all_tasks` cancels the watcher first: it waits on main, which
  is done, so the cancel is kept for its next step (must_cancel), and the
  wakeup queued by main then delivers CancelledError() instead of main's
  KeyboardInterrupt; the watcher ends cancelled;
* the stale `_run_until_complete_cb` runs in that same iteration and
  retrieves main's exception;
* nothing reports a never-retrieved exception.

Versions: 3.11.7 and 3.13.0 as 3.12.1.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def watcher(m):
    try:
        await m
    except BaseException as e:
        trace("watcher.caught", exc=e)
        raise


async def main():
    t = asyncio.create_task(watcher(asyncio.current_task()))
    await asyncio.sleep(0)
    trace("main.raise")
    raise KeyboardInterrupt('stop')
