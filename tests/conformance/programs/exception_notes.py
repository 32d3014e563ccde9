"""Exception notes (PEP 678): add_note, __notes__, and what split keeps.

Checks (SEMANTICS E2, E4, E7; Objects/exceptions.c BaseException_add_note,
exceptiongroup_subset, BaseExceptionGroup_derive):
* a fresh exception has no __notes__; add_note() creates the list and
  appends, in order;
* split() and subgroup() give each new part a *copy* of the original's
  __notes__ (independent lists: a note added to a part does not show in
  the original or the other part); a part that is the original itself
  (everything matched) is the same object, notes included;
* derive() copies nothing, notes included;
* the leaves keep their own notes through split (they are the same
  objects);
* except*: the re-raised remainder is a projection made by split, so it
  carries the group's notes; a handler adding a note to its subgroup
  changes only that subgroup;
* a note added to an exception as it passes through a coroutine is on the
  object the awaiting task catches; notes on a TaskGroup's children are
  kept inside the ExceptionGroup, which itself gets none;
* repr() never shows notes.

Versions: 3.11.7 and 3.13.0 as 3.12.1.
"""
import asyncio

from refloop import trace

DEFAULTS = {}


def notes(e):
    return getattr(e, '__notes__', None)


async def fail(tag):
    await asyncio.sleep(0)
    e = ValueError(tag)
    e.add_note('raised by ' + tag)
    raise e


async def relay():
    try:
        await fail('relay')
    except ValueError as e:
        e.add_note('passed through relay')
        raise


async def main():
    e = ValueError('x')
    trace("fresh", notes=notes(e))
    e.add_note('first')
    e.add_note('second')
    trace("added", exc=e, notes=notes(e))

    a = ValueError('a')
    a.add_note('leaf a')
    g = ExceptionGroup('eg', [a, TypeError('b'), ExceptionGroup('inner', [ValueError('c')])])
    g.add_note('group note')
    m, r = g.split(ValueError)
    trace("split", match=m, match_notes=notes(m), rest=r, rest_notes=notes(r))
    trace("split.inner", notes=notes(m.exceptions[1]), leaf=notes(m.exceptions[0]))
    m.add_note('match only')
    trace("split.independent", orig=notes(g), match=notes(m), rest=notes(r))
    whole, none = g.split(Exception)
    trace("split.whole", same=whole is g, rest=none)
    sg = g.subgroup(TypeError)
    trace("subgroup", exc=sg, notes=notes(sg))
    d = g.derive([ValueError('d')])
    trace("derive", exc=d, notes=notes(d))

    try:
        try:
            raise g
        except* TypeError as caught:
            caught.add_note('seen by handler')
            trace("star.caught", exc=caught, notes=notes(caught))
    except ExceptionGroup as rest:
        trace("star.rest", exc=rest, notes=notes(rest))
    trace("star.orig", notes=notes(g))

    try:
        await relay()
    except ValueError as err:
        trace("relay", exc=err, notes=notes(err))

    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(fail('t1'))
            tg.create_task(fail('t2'))
    except ExceptionGroup as eg:
        trace("taskgroup", exc=eg, group_notes=notes(eg),
              member_notes=[notes(x) for x in eg.exceptions])
