"""ExceptionGroup / BaseExceptionGroup / except* semantics, traced from main.

Checks (SEMANTICS E1-E7):
* construction: ExceptionGroup with a BaseException member -> TypeError;
  BaseExceptionGroup of Exceptions only is an ExceptionGroup (`type=`);
  with a BaseException member it stays BaseExceptionGroup; empty list ->
  ValueError; str() is 'msg (N sub-exceptions)' (E1);
* split()/subgroup() by type and by predicate keep the nesting; a
  predicate matching a nested group takes it whole; whole match returns the
  group itself; split copies __cause__/__context__ onto the parts (E2, E3);
* derive() builds a new group with the same message and copies nothing
  (E4);
* except*: clauses get the matching subgroups in order; a clause that
  raises a new exception while the remainder is re-raised gives
  ExceptionGroup('', [new, rest]) where new has the matched subgroup as
  context (E6, E7);
* a single raised exception with nothing left over propagates as-is (E7);
* a bare exception caught by except* is seen wrapped in
  ExceptionGroup('', [exc]); a bare `raise` there propagates the wrapper
  (E5); an unmatched bare exception propagates unwrapped (E5).

Versions: 3.11.7 and 3.13.0 as 3.12.1.  3.11.2 (before gh-103590) wraps
the single raised KeyError('only') as ExceptionGroup('', [KeyError('only')]),
which escapes main (`run.exception`).
"""
import asyncio

from refloop import trace, chain

DEFAULTS = {}


def attempt(label, fn):
    try:
        r = fn()
        trace(label, type=type(r).__name__, value=r)
    except Exception as e:
        trace(label, exc=e)


async def main():
    attempt("eg.base", lambda: ExceptionGroup('m', [KeyboardInterrupt()]))
    attempt("beg.exc", lambda: BaseExceptionGroup('m', [ValueError(1)]))
    attempt("beg.base", lambda: BaseExceptionGroup('m', [ValueError(1), KeyboardInterrupt()]))
    attempt("eg.empty", lambda: ExceptionGroup('m', []))
    eg = ExceptionGroup('top', [ValueError(1), ExceptionGroup('sub', [TypeError(2), ValueError(3)]), KeyError(4)])
    trace("str", s=str(eg), exceptions=eg.exceptions)

    eg.__cause__ = OSError('cause')
    match, rest = eg.split(ValueError)
    trace("split.type", match=chain(match), rest=chain(rest))
    match, rest = eg.split(lambda e: isinstance(e, ExceptionGroup) and e.message == 'sub')
    trace("split.pred", match=match, rest=rest)
    trace("split.all", same=eg.split(Exception)[0] is eg, none=eg.split(OSError))
    trace("subgroup", sub=eg.subgroup((TypeError, KeyError)))
    d = eg.derive([ZeroDivisionError(5)])
    trace("derive", d=chain(d), type=type(d).__name__)

    try:
        try:
            raise eg
        except* TypeError as g:
            trace("except*.TypeError", g=g)
            raise RuntimeError('handler')
        except* ValueError as g:
            trace("except*.ValueError", g=g)
            raise
    except ExceptionGroup as e:
        trace("propagated", exc=chain(e))
    try:
        try:
            raise ExceptionGroup('one', [ValueError(6)])
        except* ValueError:
            raise KeyError('only')
    except KeyError as e:
        trace("single", exc=chain(e))

    try:
        try:
            raise ValueError('bare')
        except* ValueError as g:
            trace("bare.caught", g=g)
            raise
    except ExceptionGroup as e:
        trace("bare.reraised", exc=e)
    try:
        try:
            raise ValueError('unmatched')
        except* TypeError:
            trace("not.reached")
    except ValueError as e:
        trace("unmatched", exc=e)
