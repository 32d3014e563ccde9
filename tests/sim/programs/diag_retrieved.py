"""An exception retrieved by exception(), result() or await is not reported (SEMANTICS B11).

Pins tests/sim/test_diagnostics.cpp DiagnosticsRules.ExceptionRetrievedByExceptionResultOrAwaitIsNotReported.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def boom(tag):
    raise ValueError(tag)


async def main():
    t = asyncio.create_task(boom('exception'))
    await asyncio.sleep(0)
    trace("exception", exc=t.exception())
    del t
    t = asyncio.create_task(boom('result'))
    await asyncio.sleep(0)
    try:
        t.result()
    except ValueError as e:
        trace("result", exc=e)
    del t
    t = asyncio.create_task(boom('awaited'))
    try:
        await t
    except ValueError as e:
        trace("awaited", exc=e)
    del t
    trace("dropped.all")
    await asyncio.sleep(0)
    trace("end")
