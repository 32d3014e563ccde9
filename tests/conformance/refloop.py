#!/usr/bin/env python3
"""Reference event loop and tracing runner for the corosim conformance suite.

This is stock CPython asyncio (``BaseEventLoop._run_once`` is *not*
overridden) with the few things CPython leaves unspecified pinned down
(SEMANTICS.md section H), and a tracer that prints the conformance view of a
run (SEMANTICS.md section T).  corosim's ``run NAME --policy fifo --trace``
must print the same lines.

* ``new_virtual_loop()``: a SelectorEventLoop whose clock is virtual.  Its
  selector never blocks: when ``_run_once`` would wait for a timer, the clock
  jumps exactly to the head timer's ``when``; when it would wait with no timer
  at all, that is a deadlock (the runner traces ``deadlock``).
  ``_clock_resolution`` is 1e-9 (H4).
* ``run(main, **params)``: mirrors ``asyncio.run`` / ``Runner.close`` (G4, G5)
  on a fresh virtual loop, with per-loop task names (H3), creation-ordered
  task and async generator iteration (H1) and the cyclic GC disabled except at
  ``gc_point()`` and at the end (H2).  Returns the trace lines.
* ``trace(kind, **kv)``, ``check(cond, message)``, ``gc_point(label)``,
  ``blocking(seconds)``: what scenario programs call.

Command line: ``refloop.py PROGRAM[.py] [k=v ...]`` runs
``programs/PROGRAM.py``'s ``async def main(**params)`` with its ``DEFAULTS``
overridden by the given integer (or string) parameters, and prints the trace.

Standard library only.  ``new_virtual_loop`` works on CPython >= 3.9 (the
benchmark baseline imports it); ``run`` needs >= 3.11.  The goldens are made
with CPython 3.12.1 (see regen.py).
"""

import asyncio
import contextvars
import gc
import importlib.util
import logging
import os
import re
import selectors
import sys
import warnings
import weakref

__all__ = ["new_virtual_loop", "run", "trace", "check", "gc_point", "blocking",
           "canon", "fmt", "chain", "full_repr"]

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS_DIR = os.path.join(HERE, "programs")


class _Deadlock(RuntimeError):
    """Nothing ready and no timer pending: a real loop would block forever."""


# --------------------------------------------------------------------------
# Ordered containers (H1)
# --------------------------------------------------------------------------

class _OrderedSet:
    """The subset of ``set`` that TaskGroup uses, iterating in insertion order."""

    __slots__ = ("_d",)

    def __init__(self):
        self._d = {}

    def add(self, item):
        self._d[item] = None

    def discard(self, item):
        self._d.pop(item, None)

    def remove(self, item):
        del self._d[item]

    def clear(self):
        self._d.clear()

    def __contains__(self, item):
        return item in self._d

    def __iter__(self):
        return iter(self._d)

    def __len__(self):
        return len(self._d)

    def __bool__(self):
        return bool(self._d)

    def __repr__(self):
        return "_OrderedSet(%r)" % (list(self._d),)


class _OrderedWeakSet:
    """The subset of ``weakref.WeakSet`` that BaseEventLoop uses for
    ``_asyncgens``, iterating in insertion (first-iteration) order."""

    def __init__(self):
        self._d = {}          # weakref -> None, insertion ordered
        selfref = weakref.ref(self)

        def _remove(ref, selfref=selfref):
            s = selfref()
            if s is not None:
                s._d.pop(ref, None)
        self._remove = _remove

    def add(self, item):
        self._d[weakref.ref(item, self._remove)] = None

    def discard(self, item):
        self._d.pop(weakref.ref(item), None)

    def clear(self):
        self._d.clear()

    def __contains__(self, item):
        try:
            return weakref.ref(item) in self._d
        except TypeError:
            return False

    def __iter__(self):
        for ref in list(self._d):
            item = ref()
            if item is not None:
                yield item

    def __len__(self):
        return sum(1 for ref in list(self._d) if ref() is not None)

    def __bool__(self):
        return len(self) > 0


# --------------------------------------------------------------------------
# The virtual-clock loop (H4)
# --------------------------------------------------------------------------

class _VirtualSelector(selectors.SelectSelector):
    """select() never blocks and makes no syscall.

    SelectSelector is subclassed only for its register/unregister bookkeeping
    (the loop registers its self-pipe); its own select() is never reached.
    """

    def __init__(self):
        super().__init__()
        self._loop_ref = None

    def select(self, timeout=None):
        if timeout is None:
            raise _Deadlock("nothing ready and no timer pending")
        if timeout > 0:
            loop = self._loop_ref()
            if loop is not None and loop._scheduled:
                # Jump exactly to the head timer (step 1 of _run_once has
                # already popped cancelled timers off the head), so the
                # timer is due without any float drift.
                when = loop._scheduled[0]._when
                if when > loop._now:
                    loop._now = when
        return []


class VirtualLoop(asyncio.SelectorEventLoop):
    """asyncio's SelectorEventLoop on a virtual clock.

    Only the clock, the selector and bookkeeping hooks are replaced;
    ``_run_once`` and everything else is CPython's own code.  In reference
    mode (switched on by ``run()``) tasks get per-loop names and reports to
    the default exception handler are traced.
    """

    def __init__(self):
        selector = _VirtualSelector()
        self._now = 0.0
        super().__init__(selector)
        selector._loop_ref = weakref.ref(self)
        self._clock_resolution = 1e-9
        self._asyncgens = _OrderedWeakSet()
        self.set_debug(False)
        self._refloop_reference = False
        self._refloop_counter = 0
        self._refloop_seq = weakref.WeakKeyDictionary()

    def time(self):
        return self._now

    # -- per-loop task names (H3) ------------------------------------------
    #
    # Equivalent to a task factory that creates ``Task(coro, name='Task-N')``
    # from a per-loop counter, after which create_task applies the caller's
    # name (as 3.11 and 3.12 do): an explicit name still consumes a number.
    # Done here rather than with set_task_factory because 3.13.0's
    # create_task calls ``task.set_name(None)`` after a factory, which would
    # name every task 'None'.

    def create_task(self, coro, *, name=None, context=None, **kwargs):
        if not self._refloop_reference or self._task_factory is not None \
                or kwargs:
            if context is not None:
                kwargs["context"] = context
            return super().create_task(coro, name=name, **kwargs)
        self._check_closed()
        self._refloop_counter += 1
        n = self._refloop_counter
        task = asyncio.Task(coro, loop=self,
                            name="Task-%d" % n if name is None else name,
                            context=context)
        self._refloop_seq[task] = n
        return task

    def _refloop_task_key(self, task):
        seq = self._refloop_seq.get(task)
        if seq is None:   # not created through create_task: after the others
            return (1, 0, task.get_name())
        return (0, seq, "")

    # -- async generator hooks -----------------------------------------------

    def _asyncgen_firstiter_hook(self, agen):
        if _STATE is not None and _STATE.loop is self:
            trace("asyncgen.firstiter", name=_qualname(agen))
        super()._asyncgen_firstiter_hook(agen)

    def _asyncgen_finalizer_hook(self, agen):
        if _STATE is not None and _STATE.loop is self:
            trace("asyncgen.finalizer", name=_qualname(agen))
        super()._asyncgen_finalizer_hook(agen)

    # -- exception handler (G9) ----------------------------------------------

    def default_exception_handler(self, context):
        if _STATE is None or _STATE.loop is not self:
            return super().default_exception_handler(context)
        message = context.get("message") or "Unhandled exception in event loop"
        kv = [("message", canon(str(message)))]
        for key in sorted(context):
            if key in ("message", "exception"):
                continue
            kv.append((key, context[key]))
        if context.get("exception") is not None:
            kv.append(("exc", context["exception"]))
        _trace_pairs("loop.error", kv)


def new_virtual_loop():
    """Return a fresh asyncio event loop on a virtual clock (see module doc)."""
    return VirtualLoop()


def _qualname(obj):
    return getattr(obj, "__qualname__", None) or type(obj).__name__


# --------------------------------------------------------------------------
# Canonical text (H6, T)
# --------------------------------------------------------------------------

_ADDR_RE = re.compile(r" at 0x[0-9a-fA-F]+")
_LOC_RE = re.compile(r"(?:,? (?:running|defined|created))? at [^\s<>()\[\],]+:\d+")
_TASK_START_RE = re.compile(r"<(\w*Task) ")
_NAME_RE = re.compile(r"""name=('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")


def _collapse_tasks(text):
    out = []
    pos = 0
    while True:
        m = _TASK_START_RE.search(text, pos)
        if m is None:
            out.append(text[pos:])
            return "".join(out)
        depth = 0
        end = None
        for i in range(m.start(), len(text)):
            c = text[i]
            if c == "<":
                depth += 1
            elif c == ">":
                depth -= 1
                if depth == 0:
                    end = i
                    break
        if end is None:
            out.append(text[pos:])
            return "".join(out)
        body = text[m.start():end + 1]
        nm = _NAME_RE.search(body)
        if nm is None:
            out.append(text[pos:end + 1])
        else:
            import ast
            out.append(text[pos:m.start()])
            out.append("<%s %s>" % (m.group(1), ast.literal_eval(nm.group(1))))
        pos = end + 1


def canon(text):
    """Strip addresses and ``at file:line``; ``<Task ... name='x' ...>`` ->
    ``<Task x>``."""
    text = _collapse_tasks(text)
    text = _ADDR_RE.sub("", text)
    text = _LOC_RE.sub("", text)
    return text


def full_repr(obj):
    """``repr(obj)`` as CPython prints it, minus addresses and source
    locations (``coro=<f() running at x.py:3>`` -> ``coro=<f()>``,
    ``done, defined at x.py:1`` -> ``done``, ``cb=[g() at x.py:9]`` ->
    ``cb=[g()]``), and with tasks *not* collapsed to ``<Task x>``: a task's
    whole repr, to trace as a string."""
    return _LOC_RE.sub("", _ADDR_RE.sub("", repr(obj)))


def fmt(value):
    """A trace value: strings raw, ``chain(exc)`` as its chain rendering,
    everything else (exceptions included) as its canonicalised repr."""
    if isinstance(value, str):
        return value
    if isinstance(value, _Chain):
        return value.render()
    return canon(repr(value))


# --------------------------------------------------------------------------
# Exception chains (T)
# --------------------------------------------------------------------------

# BaseExceptionGroup is 3.11+; new_virtual_loop must still import on 3.9.
_BEG = getattr(__import__("builtins"), "BaseExceptionGroup", ())


def _chain_links(exc):
    """`` <-cause- X`` / `` <-context- X`` for each link of exc's chain, as
    traceback printing follows it: __cause__ if set, else __context__ unless
    __suppress_context__.  X is the linked exception's repr; the walk then
    continues from X.  An exception already seen ends the walk (cycles)."""
    out = []
    seen = {id(exc)}
    cur = exc
    while True:
        if cur.__cause__ is not None:
            label, nxt = "cause", cur.__cause__
        elif cur.__context__ is not None and not cur.__suppress_context__:
            label, nxt = "context", cur.__context__
        else:
            break
        if id(nxt) in seen:
            break
        seen.add(id(nxt))
        out.append(" <-%s- %s" % (label, canon(repr(nxt))))
        cur = nxt
    return "".join(out)


def _has_member_links(group):
    for m in group.exceptions:
        if _chain_links(m):
            return True
        if isinstance(m, _BEG) and _has_member_links(m):
            return True
    return False


def _chain_members(group, path):
    if not _has_member_links(group):
        return ""
    out = []
    for i, m in enumerate(group.exceptions):
        p = "%s%d" % (path, i)
        out.append(" [%s]: %s%s" % (p, canon(repr(m)), _chain_links(m)))
        if isinstance(m, _BEG):
            out.append(_chain_members(m, p + "."))
    return "".join(out)


class _Chain:
    __slots__ = ("exc",)

    def __init__(self, exc):
        self.exc = exc

    def render(self):
        exc = self.exc
        if not isinstance(exc, BaseException):
            return canon(repr(exc))
        text = canon(repr(exc)) + _chain_links(exc)
        if isinstance(exc, _BEG):
            text += _chain_members(exc, "")
        return text


def chain(exc):
    """Wrap an exception so that ``trace(k, exc=chain(e))`` renders it with
    its __cause__/__context__ chain (format: README.md, "Exception chains")."""
    return _Chain(exc)


# --------------------------------------------------------------------------
# Tracing
# --------------------------------------------------------------------------

class _RunState:
    def __init__(self, loop):
        self.loop = loop
        self.lines = []


_STATE = None


def _trace_pairs(kind, pairs):
    st = _STATE
    if st is None:
        raise RuntimeError("trace() called outside refloop.run()")
    loop = st.loop
    ms = round(loop.time() * 1000)
    task = None
    try:
        task = asyncio.current_task(loop)
    except RuntimeError:
        task = None
    tname = task.get_name() if task is not None else "-"
    detail = " ".join("%s=%s" % (k, fmt(v)) for k, v in pairs)
    st.lines.append(("%6d %-12s %s %s" % (ms, tname, kind, detail)).rstrip())


def trace(kind, **kv):
    """Record one conformance event: ``trace("recv", who="ping", value=1)``."""
    _trace_pairs(kind, list(kv.items()))


def check(cond, message):
    """A scenario invariant: traces ``check.failed`` when false (no raise)."""
    if not cond:
        trace("check.failed", message=message)


def gc_point(label):
    """An explicit cyclic-GC point (H2)."""
    trace("gc", label=label)
    gc.collect()


def blocking(seconds):
    """A simulated blocking call (think ``time.sleep(seconds)``): advance the
    running virtual loop's clock by ``seconds`` inside the current step,
    without yielding.  Timers that become due run at the next iteration, as
    after a real blocking call; in debug mode the step's duration counts
    towards ``slow_callback_duration`` (traced as ``loop.slow``)."""
    loop = asyncio.get_running_loop()
    if not isinstance(loop, VirtualLoop):
        raise RuntimeError("blocking() needs a refloop virtual loop")
    if seconds < 0:
        raise ValueError("blocking() needs seconds >= 0")
    loop._now += seconds


class _SlowCallbackFilter(logging.Filter):
    """Catches the debug-mode report of ``BaseEventLoop._run_once``
    (``logger.warning('Executing %s took %.3f seconds', ...)`` on the
    ``asyncio`` logger) and traces it as ``loop.slow message=...``
    (canonicalised) instead of logging it.  Other records pass (and, with
    no handler configured, reach stderr, which regen.py refuses)."""

    SLOW = "Executing %s took %.3f seconds"

    def filter(self, record):
        if _STATE is None or record.msg != self.SLOW:
            return True
        trace("loop.slow", message=canon(record.getMessage()))
        return False


def _showwarning(message, category, filename, lineno, file=None, line=None):
    if _STATE is None:
        return _orig_showwarning(message, category, filename, lineno, file, line)
    trace("warning", category=category.__name__, message=canon(str(message)))


_orig_showwarning = warnings.showwarning


def _unraisablehook(args):
    if _STATE is None:
        return sys.__unraisablehook__(args)
    msg = args.err_msg or "Exception ignored in"
    if args.object is not None:
        msg = "%s: %s" % (msg, fmt(args.object))
    pairs = [("message", canon(msg))]
    if args.exc_value is not None:
        pairs.append(("exc", args.exc_value))
    _trace_pairs("unraisable", pairs)


# --------------------------------------------------------------------------
# The runner (G4, G5)
# --------------------------------------------------------------------------

def _patch_taskgroup():
    tg = getattr(asyncio, "TaskGroup", None)
    if tg is None:
        return lambda: None
    orig_init = tg.__init__

    def __init__(self, *args, **kwargs):
        orig_init(self, *args, **kwargs)
        self._tasks = _OrderedSet()

    tg.__init__ = __init__

    def restore():
        tg.__init__ = orig_init
    return restore


def _run_main(loop, main):
    """Runner.run: returns what keeps the main task's outcome alive."""
    coro = main
    task = asyncio.Task(coro, loop=loop, name="main",
                        context=contextvars.copy_context())
    loop._refloop_seq[task] = 0
    try:
        result = loop.run_until_complete(task)
    except _Deadlock:
        trace("deadlock")
        return [task]
    except asyncio.CancelledError as exc:
        trace("run.cancelled")
        return [task, exc]
    except BaseException as exc:
        trace("run.exception", exc=exc)
        return [task, exc]
    trace("run.result", value=canon(repr(result)))
    return [task, result]


def _cancel_all_tasks(loop):
    to_cancel = sorted(asyncio.all_tasks(loop), key=loop._refloop_task_key)
    if not to_cancel:
        return
    trace("run.cancel_all", tasks=[t.get_name() for t in to_cancel])
    for task in to_cancel:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*to_cancel, return_exceptions=True))
    for task in to_cancel:
        if task.cancelled():
            continue
        if task.exception() is not None:
            loop.call_exception_handler({
                "message": "unhandled exception during asyncio.run() shutdown",
                "exception": task.exception(),
                "task": task,
            })


def _shutdown(loop):
    """Runner.close minus loop.close(); False if something escaped."""
    try:
        _cancel_all_tasks(loop)
        if len(loop._asyncgens):
            trace("run.shutdown_asyncgens")
        # Always run both, as Runner.close does: each run_until_complete
        # creates a task (consuming a Task-N number) and runs whatever
        # handles were left queued by the previous run_until_complete.
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    except _Deadlock:
        trace("deadlock")
        return False
    except BaseException as exc:
        trace("run.shutdown_exception", exc=exc)
        return False
    return True


def run(main, **params):
    """Run ``main(**params)`` (an async function, or a coroutine object when
    no params are given) like ``asyncio.run`` on a fresh virtual loop, and
    return the trace lines."""
    global _STATE
    if _STATE is not None:
        raise RuntimeError("refloop.run() is not reentrant")
    if sys.version_info < (3, 11):
        raise RuntimeError("refloop.run() needs Python >= 3.11")
    loop = new_virtual_loop()
    loop._refloop_reference = True
    state = _RunState(loop)
    gc_was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    old_unraisablehook = sys.unraisablehook
    restore_tg = _patch_taskgroup()
    slow_filter = _SlowCallbackFilter()
    asyncio_logger = logging.getLogger("asyncio")
    asyncio_logger.addFilter(slow_filter)
    _STATE = state
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = _showwarning
            sys.unraisablehook = _unraisablehook
            try:
                trace("run.start")
                coro = main(**params) if callable(main) else main
                keep = _run_main(loop, coro)
                coro = None
                _shutdown(loop)
                # asyncio.run keeps the main task's outcome alive until it
                # returns; release it before the final collection.
                keep = None
                trace("gc", label="end")
                gc.collect()
                # close() drops the handles still queued (G4, G7); whatever
                # that frees, cycles included, is finalised before run.closed.
                loop.close()
                gc.collect()
                trace("run.closed")
            finally:
                sys.unraisablehook = old_unraisablehook
                if not loop.is_closed():
                    loop.close()
    finally:
        _STATE = None
        asyncio_logger.removeFilter(slow_filter)
        restore_tg()
        if gc_was_enabled:
            gc.enable()
    return state.lines


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def _resolve_program(arg):
    if os.path.sep in arg or os.path.exists(arg):
        return os.path.abspath(arg)
    name = arg if arg.endswith(".py") else arg + ".py"
    return os.path.join(PROGRAMS_DIR, name)


def load_program(arg):
    """Import a scenario program; returns the module."""
    path = _resolve_program(arg)
    if not os.path.isfile(path):
        raise SystemExit("refloop: no such program: %s" % path)
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    stem = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _parse_param(text):
    key, sep, value = text.partition("=")
    if not sep or not key.isidentifier():
        raise SystemExit("refloop: parameters are key=value, got %r" % text)
    try:
        return key, int(value)
    except ValueError:
        return key, value


def cli(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: refloop.py PROGRAM[.py] [key=value ...]")
        return 0 if argv else 2
    module = load_program(argv[0])
    params = dict(getattr(module, "DEFAULTS", {}))
    for text in argv[1:]:
        key, value = _parse_param(text)
        if key not in params:
            raise SystemExit("refloop: %s has no parameter %r (DEFAULTS: %s)"
                             % (argv[0], key, sorted(params)))
        params[key] = value
    lines = run(module.main, **params)
    sys.stdout.write("".join(line + "\n" for line in lines))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    # Run the CLI from the module named 'refloop', the one the programs
    # import, so that they share its state.
    sys.path.insert(0, HERE)
    import refloop
    sys.exit(refloop.cli(sys.argv[1:]))
