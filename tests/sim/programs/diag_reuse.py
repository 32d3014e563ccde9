"""Awaiting a finished coroutine again raises 'cannot reuse already awaited coroutine' (SEMANTICS A7).

Pins tests/sim/test_diagnostics.cpp DiagnosticsRules.AwaitingAFinishedCoroutineAgainRaisesCannotReuse.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def give(v):
    trace("give.body", v=v)
    return v


async def fail():
    trace("fail.body")
    raise ValueError('boom')


async def main():
    c = give(1)
    trace("first", value=await c)
    try:
        await c
    except RuntimeError as e:
        trace("again", exc=e)
    f = fail()
    try:
        await f
    except ValueError as e:
        trace("first.fail", exc=e)
    try:
        await f
    except RuntimeError as e:
        trace("again.fail", exc=e)
