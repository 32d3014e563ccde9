"""asyncio.run gives back what main returns.

Checks (SEMANTICS G4; Lib/asyncio/runners.py Runner.run): the main task's
return value is what asyncio.run returns (traced as `run.result value=` with
its repr), after main's own awaits finished; the value is kept until the run
is closed. A string shows quoted, as repr() writes it.

The C++ twin is tests/sim/test_run_result.cpp (a run whose main returns a
value is run(make_main) returning RunValue<T>, not a registered scenario).

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


async def child(tag):
    await asyncio.sleep(0.5)
    trace("child.done", tag=tag)
    return tag + '-value'


async def main():
    value = await asyncio.create_task(child('a'))
    trace("main.got", value=value)
    return value + '!'
