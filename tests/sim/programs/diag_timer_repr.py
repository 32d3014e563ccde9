"""A TimerHandle's repr shows when= as a float, in reports and in slow-callback lines.

Pins tests/sim/test_diagnostics.cpp DiagnosticsRules.TimerHandleReprShowsWhenAsAFloatInReportsAndSlowCallbacks.
"""
import asyncio

from refloop import trace, blocking

DEFAULTS = {}


def bad(n):
    trace("bad", n=n)
    raise ValueError(n)


def slow_cb():
    blocking(1)
    trace("cb.blocked")


async def main():
    loop = asyncio.get_running_loop()
    loop.call_later(1e-05, bad, 4)
    await asyncio.sleep(0.125)
    loop.set_debug(True)
    loop.call_later(0.25, slow_cb)
    await asyncio.sleep(2)
    trace("end")
