"""Timeout.reschedule() before the timeout is entered raises RuntimeError.

Pins tests/sim/test_structured.cpp TimeoutRules.RescheduleBeforeEnteringRaises
(SEMANTICS C): the error's message, and the repr of a Timeout not entered yet.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def main():
    t = asyncio.timeout(1)
    before = ""
    try:
        t.reschedule(2)
    except RuntimeError as e:
        before = repr(e)
    shown = repr(t)
    trace("before", err=before, repr=shown)
