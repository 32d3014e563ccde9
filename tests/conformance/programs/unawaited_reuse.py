"""Awaiting a coroutine object that has already finished.

Checks (SEMANTICS A7, A9):
* `await c` on a coroutine that returned gives RuntimeError('cannot reuse
  already awaited coroutine'), and the body does not run again;
* the same after the coroutine raised (the first await re-raised its
  ValueError);
* the first await of an already-finished-by-hand coroutine (driven with
  send()) gives the same error;
* none of this yields to the loop (all at 0 ms, no other task runs in
  between: the `other` task runs only at main's sleep).

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
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


async def other():
    trace("other.ran")


async def main():
    asyncio.create_task(other())
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
    h = give(2)
    try:
        h.send(None)
    except StopIteration as e:
        trace("by_hand", value=e.value)
    try:
        await h
    except RuntimeError as e:
        trace("again.by_hand", exc=e)
    await asyncio.sleep(0)
    trace("end")
