"""TaskGroup with two failing children, then except*.

Checks (SEMANTICS D3, D4, D5, E5-E7, H1):
* child `a` raises ValueError('a') at 1 s: the group aborts, cancelling the
  other children in creation order (`b`, `c`) and the body (cancelling()==1
  while the body handles it);
* `b` fails while being cancelled: it catches CancelledError, awaits 0.5 s
  and raises TypeError('b') (its __context__ is that CancelledError); `c`
  just ends cancelled and adds nothing;
* the group raises ExceptionGroup('unhandled errors in a TaskGroup',
  [ValueError('a'), TypeError('b')]) in completion order, `from None`;
  cancelling() is back to 0;
* run again under `except* ValueError` (gets the subgroup
  EG(..., [ValueError('a')])) inside `except* TypeError` (gets the rest,
  EG(..., [TypeError('b')])).

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


async def child(name):
    try:
        await asyncio.sleep(1 if name == 'a' else 10)
        raise ValueError(name)
    except asyncio.CancelledError as e:
        trace("child.cancelled", name=name, exc=e)
        if name == 'b':
            await asyncio.sleep(0.5)
            raise TypeError('b')
        raise


async def group():
    me = asyncio.current_task()
    async with asyncio.TaskGroup() as tg:
        for name in ('a', 'b', 'c'):
            tg.create_task(child(name))
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError as e:
            trace("body.cancelled", exc=e, cancelling=me.cancelling())
            raise


async def main():
    me = asyncio.current_task()
    try:
        await group()
    except ExceptionGroup as e:
        trace("group", exc=chain(e), cancelling=me.cancelling())
    try:
        try:
            await group()
        except* ValueError as g:
            trace("except*.ValueError", exc=g)
    except* TypeError as g:
        trace("except*.TypeError", exc=g)
    trace("after", cancelling=me.cancelling())
