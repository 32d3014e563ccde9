"""Collecting pending tasks whose coroutine chains are deeper than one frame.

Checks (SEMANTICS A6, B12, H2):
* close() goes through `await coro`: GeneratorExit reaches the innermost frame first;
* a child that awaits again after catching GeneratorExit makes its close fail; the
  RuntimeError('coroutine ignored GeneratorExit') is raised into the awaiting frame, and
  unwinding past that await drops the child, whose own finaliser closes it once more before
  the parent's `finally` runs; the unraisable report names the top coroutine;
* a parent task awaiting a child task, both unreachable: both are collected, in creation
  order, the parent's close does not touch the child task (only its own await).

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio
import sys

from refloop import trace, gc_point

DEFAULTS = {}


async def child():
    fut = asyncio.get_running_loop().create_future()
    try:
        trace("child.waiting")
        await fut
    except GeneratorExit:
        trace("child.except")
        await asyncio.sleep(0)
        trace("child.unreached")
    finally:
        trace("child.finally")


async def top():
    try:
        await child()
    finally:
        trace("top.finally", exc=sys.exc_info()[1])


async def polite():
    fut = asyncio.get_running_loop().create_future()
    try:
        await fut
    finally:
        trace("polite.finally")


async def parent(t):
    try:
        await t
    finally:
        trace("parent.finally")


async def main():
    t = asyncio.create_task(top())
    await asyncio.sleep(0)
    del t
    gc_point("one")
    trace("after.one")
    t = asyncio.create_task(polite())
    await asyncio.sleep(0)
    p = asyncio.create_task(parent(t))
    await asyncio.sleep(0)
    del t, p
    gc_point("two")
    trace("after.two")
