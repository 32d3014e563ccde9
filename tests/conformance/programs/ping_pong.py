"""Two tasks hand a counter back and forth through futures.

Checks future wake-ups: set_result schedules the awaiting task's wake-up with
call_soon, so the two players strictly alternate (SEMANTICS B, G1).
"""
import asyncio

from refloop import trace

DEFAULTS = {'rounds': 3}


async def player(me, other, rounds, serve, box):
    loop = asyncio.get_running_loop()
    if serve:
        box[other].set_result(0)
    for _ in range(rounds):
        v = await box[me]
        box[me] = loop.create_future()
        trace("recv", who=me, value=v)
        box[other].set_result(v + 1)


async def main(rounds=3):
    loop = asyncio.get_running_loop()
    box = {'ping': loop.create_future(), 'pong': loop.create_future()}
    a = asyncio.create_task(player('ping', 'pong', rounds, True, box))
    b = asyncio.create_task(player('pong', 'ping', rounds, False, box))
    await a
    await b
    trace("done", last=box['pong'].result())
