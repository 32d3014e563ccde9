"""A BaseException that is neither KeyboardInterrupt nor SystemExit, raised
by the main task.

Checks (SEMANTICS B3, G7, B11):
* Task.__step re-raises only KeyboardInterrupt and SystemExit; any other
  BaseException just ends the task: main ends failed, `_run_until_complete_cb`
  runs in the same iteration and stops the loop, and run() reports it
  (`run.exception`); the shutdown then cancels the other task as usual.
  (A KeyboardInterrupt from another task: child_keyboard_interrupt.)

Versions: 3.11.7 and 3.13.0 as 3.12.1.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


class Halt(BaseException):
    pass


async def other():
    try:
        await asyncio.sleep(5)
    finally:
        trace("other.finally")


async def main():
    asyncio.create_task(other())
    await asyncio.sleep(0)
    trace("main.raise")
    raise Halt('halt')
