"""A raising handler's report shows the context dict's repr (SEMANTICS G9).

Pins tests/sim/test_diagnostics.cpp DiagnosticsRules.RaisingHandlerReportShowsTheContextDictRepr.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


def raising(loop, context):
    raise KeyError('in handler')


async def main():
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(raising)
    loop.call_exception_handler({"message": "m", "detail": "x"})
    trace("end")
