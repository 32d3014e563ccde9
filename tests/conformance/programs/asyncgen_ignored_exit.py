"""An async generator that yields again while being closed.

Checks (SEMANTICS F4):
* aclose() throws GeneratorExit at the `yield`; the `finally` awaits (fine)
  and then yields: aclose() raises RuntimeError('async generator ignored
  GeneratorExit');
* the generator is left suspended at that second `yield` (value 2 is
  dropped).  ag_closed is set, but only athrow()/aclose() look at it: a
  later anext() RESUMES the generator (`gen.after`), whose `finally` then
  ends re-raising the GeneratorExit still in flight, so anext() raises
  GeneratorExit() (a BaseException: caught here, it would otherwise fail
  main);
* a later aclose() returns None (ag_closed); the finished generator is
  freed with no finalizer hook.

Note: SEMANTICS F4 says the RuntimeError "also sets ag_closed"; that is true,
but it does not stop anext() (see above).

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def gen():
    try:
        yield 1
    finally:
        trace("gen.finally")
        await asyncio.sleep(1)
        trace("gen.finally.yield")
        yield 2
        trace("gen.after")


async def main():
    g = gen()
    trace("next", value=await anext(g))
    try:
        await g.aclose()
    except RuntimeError as e:
        trace("aclose", exc=e)
    try:
        trace("next.after", value=await anext(g))
    except BaseException as e:
        trace("next.after", exc=e)
    trace("aclose.again", value=await g.aclose())
    del g
    trace("freed")
