"""Two tasks driving the same async generator at once.

Checks (SEMANTICS F5):
* while Task-1 is inside `await anext(g)` and the generator is suspended at
  an await (sleep 1 s) between yields, anext(g) from main raises
  RuntimeError('anext(): asynchronous generator is already running');
  asend(None) the same text; athrow() 'athrow(): ...'; aclose() 'aclose():
  ...'.  None of them runs generator code or disturbs Task-1;
* the error is raised when the awaitable is first awaited, not when it is
  created;
* Task-1 then gets the next value normally, and after that the generator
  can be driven from main again.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def gen():
    try:
        for i in range(3):
            trace("gen.slow", i=i)
            await asyncio.sleep(1)
            yield i
    finally:
        trace("gen.finally")


async def consumer(g):
    trace("consumer.got", value=await anext(g))


async def main():
    g = gen()
    t = asyncio.create_task(consumer(g))
    await asyncio.sleep(0)
    for how in ('anext', 'asend', 'athrow', 'aclose'):
        if how == 'anext':
            aw = anext(g)
        elif how == 'asend':
            aw = g.asend(None)
        elif how == 'athrow':
            aw = g.athrow(KeyError('k'))
        else:
            aw = g.aclose()
        trace("made", how=how)
        try:
            await aw
        except RuntimeError as e:
            trace("refused", how=how, exc=e)
    await t
    trace("main.got", value=await anext(g))
    await g.aclose()
    trace("end")
