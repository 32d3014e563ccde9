"""docs/tutorial.md's pool scenario (pool.cpp), with the shrunk run's parameters.

Pins the trace docs/tutorial.md shows for
`pool_sim run pool --seed 2 --param clients=1 --param timeout_ms=1 --param work_ms=1 --choices 0 --trace`
(no non-FIFO choice left, so FIFO order): tests/package/test_tutorial.sh checks
that the page shows this golden and that the tutorial's build prints it. The
client's wait_for times out at 1 ms, cancelling use_connection in its sleep,
so the connection is never given back.
"""
import asyncio

from refloop import trace, check

DEFAULTS = {"clients": 1, "work_ms": 1, "timeout_ms": 1}


class Pool:
    def __init__(self, size):
        self.slots = asyncio.Semaphore(size)
        self.idle = size  # connections not lent out


async def use_connection(pool, work_ms):
    await pool.slots.acquire()
    pool.idle -= 1
    await asyncio.sleep(work_ms / 1000)
    pool.idle += 1
    pool.slots.release()


async def client(pool, work_ms, timeout_ms):
    try:
        await asyncio.wait_for(use_connection(pool, work_ms), timeout_ms / 1000)
    except TimeoutError:
        trace("client.timeout", work_ms=work_ms)


async def main(clients, work_ms, timeout_ms):
    pool = Pool(2)
    tasks = [asyncio.create_task(client(pool, work_ms + i, timeout_ms)) for i in range(clients)]
    for t in tasks:
        await t
    trace("pool.idle", idle=pool.idle)
    check(pool.idle == 2, "every connection is back in the pool")
