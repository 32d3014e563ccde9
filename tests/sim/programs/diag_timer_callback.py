"""An exception in a timer callback names the TimerHandle (SEMANTICS G6).

Pins tests/sim/test_diagnostics.cpp DiagnosticsRules.ExceptionInATimerCallbackNamesTheTimerHandle.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


def bad(n):
    trace("bad", n=n)
    raise ValueError(n)


async def main():
    loop = asyncio.get_running_loop()
    loop.call_later(1, bad, 2)
    await asyncio.sleep(2)
    trace("end")
