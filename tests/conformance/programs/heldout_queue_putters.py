"""Held-out: Queue putters, and getters/putters cancelled around a wake-up.

Adapted from CPython 3.12 Lib/test/test_asyncio/test_queues.py::
QueuePutTests::test_put_cancel_drop, ::test_put_cancelled_race,
::test_cancelled_put_silence_value_error_exception,
::test_cancelled_puts_not_being_held_in_self_putters,
::test_get_cancel_drop_one_pending_reader, ::test_why_are_putters_waiting,
::test_blocking_put_wait, and QueueGetTests::test_get_with_waiting_putters,
::test_cancelled_getters_not_being_held_in_self_getters.

Checks (Lib/asyncio/queues.py put/get/_wakeup_next):
* get_with_waiting_putters: Queue(1), two put tasks; main's get() blocks
  first (the puts have not run), then gets 'a' and 'b' in order;
* put_cancel_drop: a writer blocked on a full queue is woken by
  get_nowait() and cancelled before it runs: its item is not put; a new
  writer puts 2, and the queue holds exactly that;
* put_cancelled_race: put_a, put_b, put_c on Queue(1); put_c cancelled
  while blocked: 'a' then 'b' come out, 'X' never;
* cancelled_put_silence_value_error: the putter's future was already
  removed by get_nowait(); the cancel still ends it with CancelledError
  (not ValueError from the deque removal);
* cancelled_puts_not_held: a cancelled putter leaves no putter behind
  (the queue's str shows none);
* get_cancel_drop_one_pending_reader: a reader woken by put_nowait(1) and
  cancelled before it runs drops nothing: a fresh reader gets 1;
* why_are_putters_waiting: a TaskGroup of one getter (drains after
  sleep(0)) and four putters on Queue(2): the TaskGroup finishes, no
  putter stays blocked;
* blocking_put_wait: a call_later(0.5, q.get_nowait) unblocks a put on a
  full queue at 500 ms;
* cancelled_getters_not_held: wait_for(q.get(), 1) on an empty queue
  raises TimeoutError at 1 s and leaves no getter.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def putter(q, item):
    try:
        await q.put(item)
    except asyncio.CancelledError:
        trace("put.cancelled", item=item)
        raise
    trace("put.done", item=item)


async def getter(q):
    await asyncio.sleep(0)
    num = q.qsize()
    for _ in range(num):
        trace("drained", item=q.get_nowait())


async def main():
    loop = asyncio.get_running_loop()

    # test_get_with_waiting_putters
    q = asyncio.Queue(maxsize=1)
    asyncio.create_task(putter(q, 'a'))
    asyncio.create_task(putter(q, 'b'))
    trace("got", item=await q.get())
    trace("got", item=await q.get())

    # test_put_cancel_drop
    q = asyncio.Queue(1)
    q.put_nowait(1)
    writer = asyncio.create_task(putter(q, 2))
    await asyncio.sleep(0)
    trace("get_nowait", item=q.get_nowait())
    writer.cancel()
    try:
        await writer
    except asyncio.CancelledError:
        trace("writer.cancelled", q=str(q))
        writer = asyncio.create_task(putter(q, 2))
        await writer
    trace("drop", item=q.get_nowait(), size=q.qsize())

    # test_put_cancelled_race
    q = asyncio.Queue(maxsize=1)
    put_a = asyncio.create_task(putter(q, 'a'))
    put_b = asyncio.create_task(putter(q, 'b'))
    put_c = asyncio.create_task(putter(q, 'X'))
    await asyncio.sleep(0)
    trace("race", a_done=put_a.done(), b_done=put_b.done(), q=str(q))
    put_c.cancel()
    await asyncio.sleep(0)
    trace("race.c", done=put_c.done(), item=q.get_nowait())
    await asyncio.sleep(0)
    trace("race.b", item=q.get_nowait())
    await put_b

    # test_cancelled_put_silence_value_error_exception
    q = asyncio.Queue(1)
    q.put_nowait(1)
    put_task = asyncio.create_task(putter(q, 1))
    await asyncio.sleep(0)
    q.get_nowait()
    put_task.cancel()
    try:
        await put_task
    except asyncio.CancelledError:
        trace("silenced", cancelled=put_task.cancelled(), q=str(q))

    # test_cancelled_puts_not_being_held_in_self_putters
    q = asyncio.Queue(maxsize=1)
    q.put_nowait(1)
    put_task = asyncio.create_task(putter(q, 1))
    await asyncio.sleep(0)
    trace("held", q=str(q))
    put_task.cancel()
    try:
        await put_task
    except asyncio.CancelledError:
        trace("not_held", q=str(q))

    # test_get_cancel_drop_one_pending_reader
    q = asyncio.Queue()
    reader = asyncio.create_task(q.get())
    await asyncio.sleep(0)
    q.put_nowait(1)
    q.put_nowait(2)
    reader.cancel()
    try:
        await reader
    except asyncio.CancelledError:
        trace("reader.cancelled", q=str(q))
        reader = asyncio.create_task(q.get())
        await reader
    trace("reader", result=reader.result(), q=str(q))

    # test_why_are_putters_waiting
    q = asyncio.Queue(2)
    async with asyncio.TaskGroup() as tg:
        tg.create_task(getter(q))
        for i in range(4):
            tg.create_task(putter(q, i))
    trace("putters", q=str(q))

    # test_blocking_put_wait
    q = asyncio.Queue(maxsize=1)
    q.put_nowait(0)
    loop.call_later(0.5, q.get_nowait)
    await putter(q, 1)
    trace("blocking_put", q=str(q))

    # test_cancelled_getters_not_being_held_in_self_getters
    q = asyncio.Queue(maxsize=5)
    try:
        await asyncio.wait_for(q.get(), 1)
    except TimeoutError as e:
        trace("get.timeout", exc=e, q=str(q))
