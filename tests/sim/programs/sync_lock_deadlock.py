"""Main blocked on a Lock it holds: a deadlock; the waiters are cancelled at shutdown.

Pins tests/sim/test_sync.cpp LockRules.WaitersBlockedAtADeadlockAreCancelledAtShutdown.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def main():
    lock = asyncio.Lock()
    q = asyncio.Queue()
    t = asyncio.create_task(q.get())
    await lock.acquire()
    trace("again", lock=lock)
    await lock.acquire()
