"""Awaiting inside except, finally and except* clauses, written as C++ lambdas.

Checks (SEMANTICS C2, C4, E5-E7), the forms try_finally / try_except /
try_except_star take with lambda bodies (docs/troubleshooting.md):
* `finally` that awaits; a cancel arriving while it awaits gets the body's
  CancelledError as __context__ and ends the task cancelled;
* `except ValueError` that awaits and returns a value in place of the body's;
* `except*` clauses that await: the first handles its part, the second is
  cancelled at its await: the CancelledError has the clause's subgroup as
  __context__ and, being raised from an except* clause, leaves the
  statement inside a BaseExceptionGroup with the unmatched rest, so the
  task ends with that group, not cancelled;
* an `except*` clause that awaits then raises a new error: it is chained
  to the clause's subgroup and grouped with the rest.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


async def fin_worker():
    try:
        await asyncio.sleep(10)
    finally:
        trace("finally.enter")
        await asyncio.sleep(5)
        trace("not.reached")


async def except_worker(n):
    try:
        await asyncio.sleep(1)
        raise ValueError(n)
    except ValueError as e:
        trace("except.enter", exc=e)
        await asyncio.sleep(1)
        return n * 10


async def star_worker(mode):
    try:
        await asyncio.sleep(1)
        raise ExceptionGroup("eg", [ValueError(1), TypeError(2), KeyError(3)])
    except* ValueError as g:
        trace("star.value", g=g)
        await asyncio.sleep(1)
        trace("star.value.done")
    except* TypeError as g:
        trace("star.type", g=g)
        await asyncio.sleep(5)
        if mode == 'raise':
            raise RuntimeError("clause")
        trace("star.type.done")


async def main():
    t = asyncio.create_task(fin_worker())
    await asyncio.sleep(1)
    trace("cancel", ret=t.cancel("c1"))
    await asyncio.sleep(1)
    trace("cancel", ret=t.cancel("c2"))
    try:
        await t
    except asyncio.CancelledError as e:
        trace("fin.caught", exc=chain(e))
    trace("fin.after", cancelled=t.cancelled(), cancelling=t.cancelling())

    trace("except.result", value=await except_worker(4))

    for mode in ('cancel', 'raise'):
        t = asyncio.create_task(star_worker(mode))
        await asyncio.sleep(3)
        if mode == 'cancel':
            trace("cancel", ret=t.cancel("star"))
        try:
            await t
        except BaseException as e:
            trace("star.caught", mode=mode, exc=chain(e))
        trace("star.after", mode=mode, cancelled=t.cancelled(), cancelling=t.cancelling())
