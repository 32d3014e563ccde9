"""ContextVar.get falls back to the argument, then the default, then raises; reset restores.

Pins tests/sim/test_contextvars.cpp ContextVarRules.GetFallsBackToTheArgumentThenTheDefaultThenRaisesAndResetRestores.
"""
import asyncio
import contextvars

from refloop import trace

DEFAULTS = {}

var = contextvars.ContextVar('var', default='dflt')
bare = contextvars.ContextVar('bare')


async def main():
    trace("default", value=var.get(), fallback=var.get('fb'), repr=var)
    trace("bare", fallback=bare.get('fb'), repr=bare)
    try:
        bare.get()
    except LookupError as e:
        trace("lookup", exc=e, type=type(e).__name__)
    tok = bare.set('one')
    trace("set", value=bare.get(), fallback=bare.get('fb'),
          missing=tok.old_value is contextvars.Token.MISSING, var=tok.var is bare)
    tok2 = bare.set('two')
    trace("set.again", value=bare.get(), old=tok2.old_value)
    bare.reset(tok2)
    trace("reset", value=bare.get())
    bare.reset(tok)
    trace("reset.missing", value=bare.get('gone'))
    try:
        bare.get()
    except LookupError as e:
        trace("lookup.again", exc=e)
    vt = var.set('x')
    var.reset(vt)
    trace("default.back", value=var.get())
