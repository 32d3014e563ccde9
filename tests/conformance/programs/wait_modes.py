"""asyncio.wait() return modes.

Checks (asyncio.wait; SEMANTICS H1: the done/pending sets are unordered, so
they are traced as sorted lists of task names):
* FIRST_COMPLETED returns as soon as one task is done (j1 at 1 s);
* ALL_COMPLETED waits for the rest (3 s);
* FIRST_EXCEPTION returns at the first failure (e2 at 5 s), with e1
  (finished earlier) also done and e3 pending;
* timeout=0.5 with nothing finishing: empty done set, no exception;
* a task cancelled while waited on counts as done.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def job(d, fail=False):
    await asyncio.sleep(d)
    if fail:
        raise ValueError(d)
    return d


def names(s):
    return sorted(t.get_name() for t in s)


async def main():
    ts = [asyncio.create_task(job(d), name='j%d' % d) for d in (1, 2, 3)]
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_COMPLETED)
    trace("first_completed", done=names(done), pending=names(pending))
    done, pending = await asyncio.wait(pending)
    trace("all_completed", done=names(done), pending=names(pending))

    es = [asyncio.create_task(job(d, fail=(d == 2)), name='e%d' % d) for d in (1, 2, 3)]
    done, pending = await asyncio.wait(es, return_when=asyncio.FIRST_EXCEPTION)
    trace("first_exception", done=names(done), pending=names(pending),
          exc=es[1].exception())
    done, pending = await asyncio.wait(pending, timeout=0.5)
    trace("timeout", done=names(done), pending=names(pending))
    es[2].cancel()
    done, pending = await asyncio.wait(pending)
    trace("cancelled", done=names(done), pending=names(pending),
          cancelled=es[2].cancelled())
