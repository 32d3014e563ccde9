"""An async generator abandoned in the middle of its iteration.

Checks (SEMANTICS F1, F7, F8):
* `break` out of `async for` leaves the generator suspended at its `yield`
  (no `finally` yet);
* dropping the last reference calls the finalizer hook synchronously in
  the dropping task (`asyncgen.finalizer` in main, right at the `del`);
* the hook calls call_soon_threadsafe(loop.create_task, agen.aclose()): the
  aclose task (Task-1) is created by that handle in the next iteration
  (ahead of main's own wake-up, queued after it), and its first step
  (GeneratorExit at the `yield`, the `finally` starting) runs the iteration
  after that: `tick n=1`, `gen.finally`, `tick n=2`;
* the `finally` runs in Task-1 and may await (sleep 1 s), then finishes;
  main, sleeping 2 s, sees it done.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def gen():
    try:
        for i in range(10):
            yield i
    finally:
        trace("gen.finally")
        await asyncio.sleep(1)
        trace("gen.finally.end")


async def main():
    g = gen()
    async for v in g:
        trace("item", v=v)
        if v == 1:
            break
    trace("broke")
    del g
    trace("dropped")
    for n in range(1, 4):
        await asyncio.sleep(0)
        trace("tick", n=n)
    await asyncio.sleep(2)
    trace("end")
