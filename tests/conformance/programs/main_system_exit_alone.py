"""SystemExit raised by the main task's own step, no other task.

Checks (SEMANTICS G5, G7, B11): as main_keyboard_interrupt, with nothing
to cancel: the stale `_run_until_complete_cb` then runs in the iteration of
`run_until_complete(shutdown_asyncgens())` and retrieves main's exception,
so nothing is reported.  A plain callback queued by main runs there too.

Versions: 3.11.7 and 3.13.0 as 3.12.1.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def main():
    await asyncio.sleep(1)
    asyncio.get_running_loop().call_soon(lambda: trace("callback"))
    trace("main.raise")
    raise SystemExit('bye')
