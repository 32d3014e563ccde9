"""Coroutine objects created and dropped without being awaited.

Checks (SEMANTICS A1, A5, G8):
* calling an async function runs none of its body (`body` never traced);
* dropping the last reference to a CREATED coroutine emits
  `warning category=RuntimeWarning message=coroutine 'work' was never
  awaited` at once, attributed to the task that dropped it (main);
* the name is the __qualname__ (`main.<locals>.inner` for a nested one);
* a coroutine created and dropped inside a plain call_soon callback warns
  with task `-` (no current task in a callback);
* close() on a CREATED coroutine (A4) gives no warning.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def work(tag):
    trace("body", tag=tag)


def callback(done):
    trace("cb.start")
    c = work("cb")
    del c
    trace("cb.end")
    done.set_result(None)


async def main():
    async def inner():
        trace("body", tag="inner")

    c = work("main")
    trace("created", coro=type(c).__name__)
    del c
    trace("dropped")
    c = inner()
    c = None
    trace("dropped.inner")
    c = work("closed")
    c.close()
    del c
    trace("closed")
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    loop.call_soon(callback, done)
    await done
    trace("end")
