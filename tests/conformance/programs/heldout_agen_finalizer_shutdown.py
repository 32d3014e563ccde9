"""Held-out: generators abandoned as main returns; their aclose tasks are
cancelled by asyncio.run before they start.

Adapted from CPython 3.12 Lib/test/test_asyncgen.py::AsyncGenAsyncioTest::
test_async_gen_asyncio_shutdown_exception_02 and
::test_asyncgen_nonstarted_hooks_are_cancellable (bpo-38013), with the
default exception handler instead of a recording one.

Checks:
* `async for i in gen(): break` drops the only reference to a generator
  suspended at its first `yield`: the finalizer hook fires at once, in
  main; it queues call_soon_threadsafe(create_task, agen.aclose());
* main returns in the same step; the queued handle creates the aclose
  tasks (Task-1 for `plain`, Task-2 for `failing`) in the iteration that
  stops run_until_complete, so they are still pending, unstarted, when
  asyncio.run cancels what is left: `run.cancel_all tasks=[Task-1,
  Task-2]`;
* each aclose() awaitable is cancelled before its first step: the task
  throws CancelledError into it, which goes straight into the generator at
  its `yield` (not GeneratorExit): the `finally` sees CancelledError();
* `plain` lets it propagate: Task-1 ends cancelled, nothing is reported
  (the bpo-38013 check);
* `failing` raises ZeroDivisionError (context CancelledError) from its
  `finally`: Task-2 ends with that error and asyncio.run reports
  `unhandled exception during asyncio.run() shutdown` for it (the
  shutdown_exception_02 check);
* the generators were unregistered by the finalizer hook, so
  shutdown_asyncgens has nothing to do (no `run.shutdown_asyncgens`).

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio
import sys

from refloop import trace, chain

DEFAULTS = {}


async def async_iterate(tag, fail):
    try:
        yield 1
        yield 2
    finally:
        trace("gen.finally", tag=tag, exc=sys.exc_info()[1])
        if fail:
            1 / 0


async def main():
    async for i in async_iterate('plain', False):
        trace("item", tag='plain', i=i)
        break
    trace("broke", tag='plain')
    async for i in async_iterate('failing', True):
        trace("item", tag='failing', i=i)
        break
    trace("broke", tag='failing')
