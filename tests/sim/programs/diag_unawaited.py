"""An unawaited coroutine warns in the task that drops it; close() silences it (SEMANTICS A4, A5).

Pins tests/sim/test_diagnostics.cpp DiagnosticsRules.UnawaitedCoroutineWarnsInTheTaskThatDropsItAndCloseSilencesIt.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def work(tag):
    trace("body", tag=tag)


async def child():
    c = work("child")
    trace("child.made")
    del c
    trace("child.dropped")
    k = work("kept")
    trace("child.end")  # k dies with the finished frame


def callback(done):
    c = work("cb")
    del c
    trace("cb.dropped")
    done.set_result(None)


async def main():
    c = work("main")
    trace("made")
    del c
    trace("dropped")
    await asyncio.create_task(child())
    trace("child.done")
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    loop.call_soon(callback, done)
    await done
    c = work("closed")
    c.close()
    del c
    trace("closed")
