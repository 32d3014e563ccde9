"""contextvars across tasks.

Checks (no SEMANTICS rule yet; Lib/asyncio/tasks.py Task.__init__ copies
the context, Task.__step runs each step in it):
* ContextVar.get() with no value: the var's default, or get(fallback);
  LookupError when there is neither;
* set() returns a Token; reset(token) restores the previous value (or
  "no value");
* create_task copies the current context at creation: the child sees the
  parent's value as it was then, not a later set() in the parent;
* a child's set() is invisible to the parent and to its sibling;
* create_task(context=ctx) runs the child in the given context (a copy made
  earlier), and that child's set() is visible through ctx afterwards.

Versions: identical on 3.11.7, 3.12.1 and 3.13.0.
"""
import asyncio
import contextvars

from refloop import trace

DEFAULTS = {}

var = contextvars.ContextVar('var', default='dflt')
bare = contextvars.ContextVar('bare')


async def child(tag):
    trace("child.sees", tag=tag, var=var.get())
    var.set(tag)
    await asyncio.sleep(1)
    trace("child.after", tag=tag, var=var.get())


async def main():
    trace("get", var=var.get(), fallback=bare.get('fb'))
    try:
        bare.get()
    except LookupError as e:
        trace("bare", exc=e)
    tok = var.set('one')
    trace("set", var=var.get(), old_missing=tok.old_value is contextvars.Token.MISSING)
    t1 = asyncio.create_task(child('c1'))
    var.set('two')
    t2 = asyncio.create_task(child('c2'))
    ctx = contextvars.copy_context()
    t3 = asyncio.create_task(child('c3'), context=ctx)
    await asyncio.sleep(0)
    trace("parent", var=var.get())
    await asyncio.gather(t1, t2, t3)
    trace("parent.after", var=var.get(), ctx=ctx[var])
    var.reset(tok)
    trace("reset", var=var.get())
