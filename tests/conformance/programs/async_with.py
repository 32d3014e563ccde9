"""`async with` on a small context manager class.

Checks (SEMANTICS C1, C2; the async with protocol): __aenter__ and
__aexit__ are awaited (each sleeps 0); __aexit__ gets the body's
exception; returning True suppresses it (`s`), False lets it propagate
unchanged (`n`); a slow __aexit__ (`slow`, handling KeyError('k')) is
cancelled while it awaits: the CancelledError raised there carries the
KeyError as __context__ and replaces it.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0 (and 3.11.2).
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


class CM:
    def __init__(self, name, suppress, slow=False):
        self.name, self.suppress, self.slow = name, suppress, slow

    async def __aenter__(self):
        trace("aenter", name=self.name)
        await asyncio.sleep(0)
        return self.name

    async def __aexit__(self, et, e, tb):
        trace("aexit", name=self.name, exc=e)
        await asyncio.sleep(5 if self.slow else 0)
        return self.suppress


async def slow_user():
    async with CM('slow', False, slow=True):
        raise KeyError('k')


async def main():
    async with CM('s', True) as v:
        trace("body", v=v)
        raise ValueError('suppressed')
    trace("after.s")
    try:
        async with CM('n', False):
            raise ValueError('kept')
    except ValueError as e:
        trace("caught", exc=chain(e))
    t = asyncio.create_task(slow_user())
    await asyncio.sleep(1)
    t.cancel('c')
    try:
        await t
    except asyncio.CancelledError as e:
        trace("slow.caught", exc=chain(e))
