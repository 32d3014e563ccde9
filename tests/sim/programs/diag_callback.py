"""An exception in a callback is reported and the iteration goes on (SEMANTICS G6).

Pins tests/sim/test_diagnostics.cpp DiagnosticsRules.ExceptionInACallbackIsReportedAndTheIterationGoesOn.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


def bad(n):
    trace("bad", n=n)
    raise ValueError(n)


def good():
    trace("good")


async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(bad, 1)
    loop.call_soon(good)
    await asyncio.sleep(0)
    trace("end")
