"""The cleanup raises while the body's exception propagates.

Checks (SEMANTICS C1, B10-like retrieval of a failed task): the body raises
ValueError('body'); the finally block awaits and then raises
RuntimeError('cleanup'), which replaces the ValueError (kept as its
__context__).  The task ends failed with that RuntimeError; awaiting it and
exception() give the same object.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


async def body():
    try:
        await asyncio.sleep(1)
        raise ValueError('body')
    finally:
        trace("finally.enter")
        await asyncio.sleep(1)
        raise RuntimeError('cleanup')


async def main():
    t = asyncio.create_task(body())
    try:
        await t
    except Exception as e:
        trace("main.caught", exc=chain(e), same=t.exception() is e)
    trace("after", cancelled=t.cancelled(), cancelling=t.cancelling())
