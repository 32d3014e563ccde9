"""Nested TaskGroups.

Checks (SEMANTICS D3, D4, D5 [S07]):
* an inner group running in a child task of the outer group: the inner
  child fails (ValueError('i2') at 1 s); its sibling i1 is cancelled; the
  inner group raises EG([ValueError('i2')]) out of that child, which makes
  the outer group cancel its other child o1 and its body; the result nests,
  never flattened: EG([EG([ValueError('i2')])]);
* an inner group in the outer group's body (same task), where an outer
  child fails first (KeyError('o3') at 1 s) and an inner child then fails
  while being cancelled (TypeError('i5')): the inner group raises
  EG([TypeError('i5')]) from the body, appended after the child errors:
  EG([KeyError('o3'), EG([TypeError('i5')])]).

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def sib(n):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        trace("sib.cancelled", n=n)
        raise


async def fail(d, exc):
    await asyncio.sleep(d)
    raise exc


async def fail_on_cancel(exc):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        raise exc


async def inner_group():
    async with asyncio.TaskGroup() as inner:
        inner.create_task(sib('i1'))
        inner.create_task(fail(1, ValueError('i2')))


async def main():
    try:
        async with asyncio.TaskGroup() as outer:
            outer.create_task(sib('o1'))
            outer.create_task(inner_group())
            await asyncio.sleep(10)
    except ExceptionGroup as e:
        trace("group1", exc=e)

    try:
        async with asyncio.TaskGroup() as outer:
            outer.create_task(fail(1, KeyError('o3')))
            async with asyncio.TaskGroup() as inner:
                inner.create_task(sib('i4'))
                inner.create_task(fail_on_cancel(TypeError('i5')))
    except ExceptionGroup as e:
        trace("group2", exc=e)
