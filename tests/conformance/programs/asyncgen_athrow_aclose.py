"""athrow() and aclose() on async generators.

Checks (SEMANTICS F2, F4):
* athrow(exc) raises exc at the suspended `yield`; caught inside, the
  generator yields again and athrow returns that value;
* athrow of an exception the generator does not catch: it propagates out of
  the athrow await and the generator is finished (anext ->
  StopAsyncIteration);
* aclose() throws GeneratorExit at the `yield`: the `finally` runs inside
  the awaiting task (main) and may await (sleep 1 s);
* aclose() on a never-started generator runs nothing (no `finally`); the
  generator is then finished;
* aclose() again on a closed generator returns None; awaiting the same
  aclose() awaitable a second time raises RuntimeError('cannot reuse
  already awaited aclose()/athrow()').

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def gen(tag):
    try:
        trace("gen.start", tag=tag)
        try:
            yield 1
        except KeyError as e:
            trace("gen.caught", tag=tag, exc=e)
            yield 2
        yield 3
    finally:
        trace("gen.finally", tag=tag)
        await asyncio.sleep(1)
        trace("gen.finally.end", tag=tag)


async def main():
    g = gen('a')
    trace("next", value=await anext(g))
    trace("athrow", value=await g.athrow(KeyError('k')))
    try:
        await g.athrow(ValueError('v'))
    except ValueError as e:
        trace("athrow.escaped", exc=e)
    try:
        await anext(g)
    except StopAsyncIteration as e:
        trace("after.escape", exc=e)

    g = gen('b')
    trace("next", value=await anext(g))
    closer = g.aclose()
    trace("aclose", value=await closer)
    trace("aclose.again", value=await g.aclose())
    try:
        await closer
    except RuntimeError as e:
        trace("aclose.reuse", exc=e)

    g = gen('c')
    trace("aclose.unstarted", value=await g.aclose())
    trace("next.unstarted", value=await anext(g, 'exhausted'))
