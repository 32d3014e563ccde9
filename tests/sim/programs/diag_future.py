"""A future with an unretrieved exception is reported when freed (SEMANTICS B11).

Pins tests/sim/test_diagnostics.cpp DiagnosticsRules.FutureWithAnUnretrievedExceptionIsReportedWhenFreed.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def main():
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    f.set_exception(ValueError('f'))
    trace("set", done=f.done())
    del f
    trace("dropped")
    g = loop.create_future()
    g.set_exception(KeyError('g'))
    trace("retrieved", exc=g.exception())
    del g
    trace("end")
