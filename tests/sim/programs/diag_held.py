"""A failed task is reported once, when its last reference goes (SEMANTICS B11).

Pins tests/sim/test_diagnostics.cpp DiagnosticsRules.FailedTaskIsReportedOnceWhenItsLastReferenceGoes.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def boom(tag):
    raise ValueError(tag)


async def main():
    t = asyncio.create_task(boom('held'))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    trace("still.held", done=t.done())
    del t
    trace("dropped")
    await asyncio.sleep(0)
    trace("no.second.report")
