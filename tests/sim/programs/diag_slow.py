"""Blocking delays due timers; debug mode reports steps at or above the slow threshold.

Blocking never yields: the timer due at 500 ms fires at 2000 ms, after main's
sleep(0) step queued before it; with debug off nothing is reported. The step
that turns debug on is not timed, the one that turns it off is.

Pins tests/sim/test_diagnostics.cpp DiagnosticsRules.BlockingDelaysDueTimersAndDebugModeReportsStepsAtOrAboveTheSlowThreshold.
"""
import asyncio

from refloop import trace, blocking

DEFAULTS = {}


async def sleeper():
    await asyncio.sleep(0.5)
    trace("sleeper.woke")


async def child():
    blocking(1)
    trace("child.blocked")


def slow_cb():
    blocking(0.5)
    trace("cb.blocked")


async def main():
    loop = asyncio.get_running_loop()
    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    trace("block", debug=loop.get_debug())
    blocking(2)
    trace("unblocked")
    await asyncio.sleep(0)
    trace("yielded")
    await t
    loop.set_debug(True)
    trace("debug.on", debug=loop.get_debug())
    blocking(0.125)
    await asyncio.sleep(0)
    trace("over.default")
    blocking(0.125)
    await asyncio.sleep(0)
    trace("under.default")
    blocking(0.0625)
    await asyncio.sleep(0)
    loop.slow_callback_duration = 0.5
    trace("under.threshold")
    blocking(0.25)
    await asyncio.sleep(0)
    trace("at.threshold")
    blocking(0.5)
    await asyncio.sleep(0)
    await asyncio.create_task(child())
    loop.call_soon(slow_cb)
    await asyncio.sleep(0)
    loop.set_debug(False)
    trace("debug.off")
    blocking(1)
    await asyncio.sleep(0)
    trace("off")
    blocking(1)
    await asyncio.sleep(0)
    trace("end")
