"""asyncio.Semaphore, BoundedSemaphore and Condition ordering.

Checks (Lib/asyncio/locks.py Semaphore, BoundedSemaphore, Condition):
* Semaphore(2) with four contenders s0..s3 (each holds it 1 s): s0 and s1
  enter at once, s2 and s3 in FIFO order as permits are released;
  locked() is True while no permit is free (s0 sees False: one left);
* BoundedSemaphore(1): a release beyond the initial value raises
  ValueError('BoundedSemaphore released too many times');
* Condition: c0, c1, c2 wait(); notify(1) wakes only c0; notify_all() wakes
  c1 then c2; each re-acquires the lock before wait() returns, so each
  wake-up runs after the notifier released the lock;
* wait_for(predicate) checks the predicate first and re-waits after a
  notify that leaves it false; returns the predicate's value.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def holder(sem, tag):
    async with sem:
        trace("sem.in", tag=tag, locked=sem.locked())
        await asyncio.sleep(1)
        trace("sem.out", tag=tag)


async def cwaiter(cond, tag):
    async with cond:
        trace("cond.wait", tag=tag)
        await cond.wait()
        trace("cond.woke", tag=tag)


async def pwaiter(cond, box):
    def pred():
        trace("pred", n=box[0])
        return box[0] >= 2

    async with cond:
        v = await cond.wait_for(pred)
        trace("pred.done", value=v)


async def main():
    sem = asyncio.Semaphore(2)
    await asyncio.gather(*[holder(sem, 's%d' % i) for i in range(4)])
    trace("sem.end", locked=sem.locked())

    bs = asyncio.BoundedSemaphore(1)
    await bs.acquire()
    bs.release()
    try:
        bs.release()
    except ValueError as e:
        trace("bounded", exc=e)

    cond = asyncio.Condition()
    ts = [asyncio.create_task(cwaiter(cond, 'c%d' % i)) for i in range(3)]
    await asyncio.sleep(0)
    async with cond:
        cond.notify(1)
        trace("notified", n=1)
    await asyncio.sleep(0)
    async with cond:
        cond.notify_all()
        trace("notified", n='all')
    await asyncio.gather(*ts)

    box = [0]
    t = asyncio.create_task(pwaiter(cond, box))
    for _ in range(2):
        await asyncio.sleep(1)
        async with cond:
            box[0] += 1
            cond.notify()
    await t
