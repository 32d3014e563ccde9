"""Lost updates: workers read a shared counter, yield, then write it back.

Checks round-robin FIFO scheduling of sleep(0) (SEMANTICS G1): under
asyncio's FIFO order every worker reads before any writes, so each round
loses all but one update and the final count is `rounds`.
"""
import asyncio

from refloop import trace, check

DEFAULTS = {'workers': 3, 'rounds': 2}


async def worker(w, rounds, state):
    for _ in range(rounds):
        v = state['counter']
        # Worker w yields w+1 times between its read and its write, so workers
        # fall out of step and a reordering can lose a different update.
        for _ in range(w + 1):
            await asyncio.sleep(0)
        state['counter'] = v + 1
        trace("write", w=w, value=v + 1)
        await asyncio.sleep(0)  # the next read happens in a later step than this write


async def main(workers=3, rounds=2):
    state = {'counter': 0}
    tasks = [asyncio.create_task(worker(w, rounds, state)) for w in range(workers)]
    for t in tasks:
        await t
    trace("final", value=state['counter'])
    check(rounds <= state['counter'] <= workers * rounds, "final count within bounds")
