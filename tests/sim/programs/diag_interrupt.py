"""KeyboardInterrupt from a handler propagates to the caller (SEMANTICS G9).

Pins tests/sim/test_diagnostics.cpp DiagnosticsRules.KeyboardInterruptFromAHandlerPropagatesToTheCaller.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


def h(loop, context):
    raise KeyboardInterrupt('h')


async def main():
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(h)
    try:
        loop.call_exception_handler({"message": "m"})
    except KeyboardInterrupt as e:
        trace("caught", exc=e)
    trace("end")
