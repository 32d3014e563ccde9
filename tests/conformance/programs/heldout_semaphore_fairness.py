"""Held-out: Semaphore fairness and cancelled acquirers.

Adapted from CPython 3.12 Lib/test/test_asyncio/test_locks.py::
SemaphoreTests::test_acquire_fifo_order_2, ::test_acquire_fifo_order_3,
::test_acquire_cancel_before_awoken, ::test_acquire_hang,
::test_acquire_no_hang and ::test_acquire_fifo_order (the TaskGroup one,
delays scaled to 1 s).

Checks (Lib/asyncio/locks.py Semaphore, the 3.11.1+ fair version):
* fifo_order_2: Semaphore(1) held by c1; c2, c3 queue; two release()s wake
  c2 and c3 (each wake-up takes its unit at once); c2 releases (the counter
  goes to 1: c3's woken waiter is skipped) and asks again: locked() is
  True because c3's woken waiter is still queued, so c2 queues behind c3
  and gets its unit when c3 runs (c3 passes it on: value > 0);
* fifo_order_3: Semaphore(0), c1 cancelled while waiting, then two
  release()s go to c2 and c3 (not lost on c1);
* cancel_before_awoken: four waiters on Semaphore(0); t1, t2 cancelled,
  then one release(): t3 gets it, t4 still waits (then is cancelled);
* acquire_hang: t1 cancelled, release(): t2 is not left hanging; the
  semaphore ends locked (value 0);
* acquire_no_hang: c1 holds the semaphore across a sleep(0) and cancels c2
  (queued) after releasing; the unit is not lost: a later acquire succeeds
  without waiting;
* fifo_order (TaskGroup): three tasks each acquire twice around a sleep:
  c1_1, c2_1, c3_1, c1_2, c2_2, c3_2.

Versions: identical on 3.12.1 and 3.13.0.  3.11.7 numbers the last three
tasks Task-16..18 instead of Task-15..17: its wait_for() wraps
sem.acquire() in a task (3.12's uses a timeout context, no task).
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def acq(sem, tag):
    try:
        await sem.acquire()
    except asyncio.CancelledError:
        trace("acq.cancelled", tag=tag)
        raise
    trace("acq.got", tag=tag, sem=sem)
    return True


async def c2_twice(sem):
    await sem.acquire()
    trace("acq.got", tag='c2', sem=sem)
    sem.release()
    trace("c2.released", locked=sem.locked(), sem=sem)
    await sem.acquire()
    trace("acq.got", tag='c2.again', sem=sem)
    return True


async def no_hang_c1(sem, box):
    async with sem:
        trace("c1.in", sem=sem)
        await asyncio.sleep(0)
    box[0].cancel()
    trace("c1.cancelled_c2", sem=sem)


async def no_hang_c2(sem):
    async with sem:
        trace("c2.in.unreached")


async def fifo(sem, tag):
    for n in (1, 2):
        await sem.acquire()
        trace("fifo", tag='%s_%d' % (tag, n))
        await asyncio.sleep(1)
        sem.release()


async def main():
    # test_acquire_fifo_order_2
    sem = asyncio.Semaphore(1)
    ts = [asyncio.create_task(acq(sem, 'c1')),
          asyncio.create_task(c2_twice(sem)),
          asyncio.create_task(acq(sem, 'c3'))]
    await asyncio.sleep(0)
    sem.release()
    sem.release()
    trace("released.twice", sem=sem)
    trace("gathered", results=await asyncio.gather(*ts))

    # test_acquire_fifo_order_3
    sem = asyncio.Semaphore(0)
    ts = [asyncio.create_task(acq(sem, t)) for t in ('c1', 'c2', 'c3')]
    await asyncio.sleep(0)
    ts[0].cancel()
    await asyncio.sleep(0)
    sem.release()
    sem.release()
    trace("gathered", results=await asyncio.gather(*ts, return_exceptions=True))

    # test_acquire_cancel_before_awoken
    sem = asyncio.Semaphore(value=0)
    ts = [asyncio.create_task(acq(sem, 't%d' % i)) for i in (1, 2, 3, 4)]
    await asyncio.sleep(0)
    ts[0].cancel()
    ts[1].cancel()
    sem.release()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    trace("awoken", t3_done=ts[2].done(), t4_done=ts[3].done(), sem=sem)
    ts[2].cancel()
    ts[3].cancel()
    await asyncio.sleep(0)
    trace("cleanup", done=[t.done() for t in ts], sem=sem)

    # test_acquire_hang
    sem = asyncio.Semaphore(value=0)
    ts = [asyncio.create_task(acq(sem, 'h%d' % i)) for i in (1, 2)]
    await asyncio.sleep(0)
    ts[0].cancel()
    sem.release()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    trace("hang", locked=sem.locked(), h2_done=ts[1].done(), sem=sem)

    # test_acquire_no_hang
    sem = asyncio.Semaphore(1)
    box = []
    t1 = asyncio.create_task(no_hang_c1(sem, box))
    t2 = asyncio.create_task(no_hang_c2(sem))
    box.append(t2)
    r1, r2 = await asyncio.gather(t1, t2, return_exceptions=True)
    trace("no_hang", r1=r1, r2=r2, sem=sem)
    trace("no_hang.acquire", value=await asyncio.wait_for(sem.acquire(), timeout=1))

    # test_acquire_fifo_order
    sem = asyncio.Semaphore(1)
    async with asyncio.TaskGroup() as tg:
        for tag in ('c1', 'c2', 'c3'):
            tg.create_task(fifo(sem, tag))
    trace("end", sem=sem)
