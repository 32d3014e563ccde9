"""Held-out: ContextVar tokens and per-task contexts.

Adapted from CPython 3.12 Lib/test/test_context.py::ContextTest::
test_context_getset_1, ::test_context_getset_2, ::test_context_getset_4
(the other Context is a task's instead of a Context().run()) and
Lib/test/test_asyncio/test_context.py::DecimalContextTest::
test_asyncio_task_decimal_context (a `prec` variable set per gathered
coroutine stands in for decimal.localcontext()).

Checks (Python/context.c; Lib/asyncio/tasks.py copies the context per
task):
* getset_1: get() with no value and no default raises LookupError(var);
  set() returns a token whose old_value is Token.MISSING the first time,
  the previous value after; reset(token) restores it; a token can be used
  once: RuntimeError('<Token used var=...> has already been used once');
  a copy_context() taken before a reset keeps the value it saw;
  ctx[var] on a context without var raises KeyError(var);
* getset_2: reset() with another variable's token:
  ValueError('<Token var=...> was created by a different ContextVar');
* getset_4: a token made by set() inside a task (its own context copy) is
  refused in main: ValueError('... was created in a different Context'),
  and the task's value is invisible in main;
* decimal_context: gather() wraps two coroutines in tasks, each copying
  main's context; each sets prec, sleeps (1 s / 2 s) and still sees its
  own value; main's prec is untouched (the default, 28).

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio
import contextvars

from refloop import trace

DEFAULTS = {}

c = contextvars.ContextVar('c')
v1 = contextvars.ContextVar('v1')
v2 = contextvars.ContextVar('v2')
prec = contextvars.ContextVar('prec', default=28)


async def setter():
    tok = c.set('task')
    trace("task.set", value=c.get())
    return tok


async def fractions(t, precision, tag):
    tok = prec.set(precision)
    try:
        a = prec.get()
        await asyncio.sleep(t)
        b = prec.get()
        trace("fractions", tag=tag, a=a, b=b)
        return [a, b]
    finally:
        prec.reset(tok)


async def main():
    # test_context_getset_1
    try:
        c.get()
    except LookupError as e:
        trace("lookup", exc=e)
    trace("get.none", value=c.get(None))
    t0 = c.set('42')
    trace("set", value=c.get(), old_missing=t0.old_value is contextvars.Token.MISSING,
          same_var=t0.var is c)
    t = c.set('spam')
    trace("set", value=c.get(), old=t.old_value)
    c.reset(t)
    trace("reset", value=c.get())
    c.set('spam2')
    try:
        c.reset(t)
    except RuntimeError as e:
        trace("reset.again", exc=e)
    trace("after", value=c.get())
    ctx1 = contextvars.copy_context()
    c.reset(t0)
    try:
        c.reset(t0)
    except RuntimeError as e:
        trace("reset.again", exc=e)
    trace("after", value=c.get(None), ctx1=ctx1[c])
    ctx2 = contextvars.copy_context()
    try:
        ctx2[c]
    except KeyError as e:
        trace("ctx2", exc=e)

    # test_context_getset_2
    t1 = v1.set('42')
    try:
        v2.reset(t1)
    except ValueError as e:
        trace("other.var", exc=e)

    # test_context_getset_4, with a task's context
    tok = await asyncio.create_task(setter())
    try:
        c.reset(tok)
    except ValueError as e:
        trace("other.ctx", exc=e)
    trace("main.sees", value=c.get(None))

    # DecimalContextTest.test_asyncio_task_decimal_context
    r1, r2 = await asyncio.gather(fractions(1, 3, 'r1'), fractions(2, 6, 'r2'))
    trace("gathered", r1=r1, r2=r2, prec=prec.get())
