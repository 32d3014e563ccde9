// contextvars, one TEST per rule (sim/include/corosim/context_var.hpp; python/cpython
// Python/context.c, Lib/asyncio/tasks.py Task.__init__'s copy_context()). Each test quotes its
// Python program; every program also starts with `import asyncio, contextvars`,
// `from refloop import trace` and `DEFAULTS = {}`. The expected text is what CPython 3.12.1
// printed for it on the reference loop (`python3 -B tests/conformance/refloop.py PROG.py`).
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "corosim/corosim.hpp"
#include "expect_trace.hpp"

namespace corosim {
namespace {

using testing::expect_trace;
using testing::lines;

using Str = std::string;

// Module-level variables, as in the Python programs (a ContextVar must outlive every context).
ContextVar<Str> var("var", Str("dflt"));
ContextVar<Str> bare("bare");
ContextVar<Str> c("c");
ContextVar<Str> d("d");

// ---------------------------------------------------------------- get / set / reset

// var = contextvars.ContextVar('var', default='dflt'); bare = contextvars.ContextVar('bare')
// async def main():
//     trace("default", value=var.get(), fallback=var.get('fb'), repr=var)
//     trace("bare", fallback=bare.get('fb'), repr=bare)
//     try: bare.get()
//     except LookupError as e: trace("lookup", exc=e, type=type(e).__name__)
//     tok = bare.set('one')
//     trace("set", value=bare.get(), fallback=bare.get('fb'),
//           missing=tok.old_value is contextvars.Token.MISSING, var=tok.var is bare)
//     tok2 = bare.set('two'); trace("set.again", value=bare.get(), old=tok2.old_value)
//     bare.reset(tok2); trace("reset", value=bare.get())
//     bare.reset(tok); trace("reset.missing", value=bare.get('gone'))
//     try: bare.get()
//     except LookupError as e: trace("lookup.again", exc=e)
//     vt = var.set('x'); var.reset(vt); trace("default.back", value=var.get())

Coro<void> get_set_main() {
    trace("default", {{"value", var.get()}, {"fallback", var.get("fb")}, {"repr", var.repr()}});
    trace("bare", {{"fallback", bare.get("fb")}, {"repr", bare.repr()}});
    try {
        (void)bare.get();
    } catch (const LookupError& e) {
        trace("lookup", {{"exc", e}, {"type", e.type_name()}});
    }
    const ContextToken<Str> tok = bare.set("one");
    trace("set", {{"value", bare.get()},
                  {"fallback", bare.get("fb")},
                  {"missing", !tok.old_value.has_value()},
                  {"var", tok.var == &bare}});
    const ContextToken<Str> tok2 = bare.set("two");
    trace("set.again", {{"value", bare.get()}, {"old", *tok2.old_value}});
    bare.reset(tok2);
    trace("reset", {{"value", bare.get()}});
    bare.reset(tok);
    trace("reset.missing", {{"value", bare.get("gone")}});
    try {
        (void)bare.get();
    } catch (const LookupError& e) {
        trace("lookup.again", {{"exc", e}});
    }
    const ContextToken<Str> vt = var.set("x");
    var.reset(vt);
    trace("default.back", {{"value", var.get()}});
    co_return;
}

TEST(ContextVarRules, GetFallsBackToTheArgumentThenTheDefaultThenRaisesAndResetRestores) {
    expect_trace(&get_set_main, R"(     0 -            run.start
     0 main         default value=dflt fallback=fb repr=<ContextVar name='var' default='dflt'>
     0 main         bare fallback=fb repr=<ContextVar name='bare'>
     0 main         lookup exc=LookupError(<ContextVar name='bare'>) type=LookupError
     0 main         set value=one fallback=one missing=True var=True
     0 main         set.again value=two old=one
     0 main         reset value=one
     0 main         reset.missing value=gone
     0 main         lookup.again exc=LookupError(<ContextVar name='bare'>)
     0 main         default.back value=dflt
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// ---------------------------------------------------------------- token errors

// c = contextvars.ContextVar('c'); d = contextvars.ContextVar('d')
// async def setter():
//     return c.set('task')
// async def main():
//     t = c.set('a'); c.reset(t)
//     try: c.reset(t)
//     except RuntimeError as e: trace("used", exc=e)
//     try: d.reset(t)
//     except RuntimeError as e: trace("used.other.var", exc=e)
//     t2 = c.set('b')
//     try: d.reset(t2)
//     except ValueError as e: trace("other.var", exc=e)
//     trace("still", value=c.get(), token=t2)
//     tok = await asyncio.create_task(setter())
//     try: c.reset(tok)
//     except ValueError as e: trace("other.ctx", exc=e)
//     trace("main.sees", value=c.get()); c.reset(t2); trace("end", value=c.get('none'))

Coro<ContextToken<Str>> token_setter() { co_return c.set("task"); }

Coro<void> tokens_main() {
    const ContextToken<Str> t = c.set("a");
    c.reset(t);
    try {
        c.reset(t);
    } catch (const RuntimeError& e) {
        trace("used", {{"exc", e}});
    }
    try {
        d.reset(t);  // used is checked before the variable
    } catch (const RuntimeError& e) {
        trace("used.other.var", {{"exc", e}});
    }
    const ContextToken<Str> t2 = c.set("b");
    try {
        d.reset(t2);
    } catch (const ValueError& e) {
        trace("other.var", {{"exc", e}});
    }
    trace("still", {{"value", c.get()}, {"token", t2.repr()}});
    Task<ContextToken<Str>> st = create_task(token_setter());
    const ContextToken<Str> tok = co_await st;
    try {
        c.reset(tok);
    } catch (const ValueError& e) {
        trace("other.ctx", {{"exc", e}});
    }
    trace("main.sees", {{"value", c.get()}});
    c.reset(t2);
    trace("end", {{"value", c.get("none")}});
}

TEST(ContextVarRules, TokenUsedTwiceOtherVariableOrOtherContextIsRefusedWithCPythonsMessages) {
    expect_trace(&tokens_main, R"(     0 -            run.start
     0 main         used exc=RuntimeError("<Token used var=<ContextVar name='c'>> has already been used once")
     0 main         used.other.var exc=RuntimeError("<Token used var=<ContextVar name='c'>> has already been used once")
     0 main         other.var exc=ValueError("<Token var=<ContextVar name='c'>> was created by a different ContextVar")
     0 main         still value=b token=<Token var=<ContextVar name='c'>>
     0 main         other.ctx exc=ValueError("<Token var=<ContextVar name='c'>> was created in a different Context")
     0 main         main.sees value=b
     0 main         end value=none
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// c = contextvars.ContextVar('c')
// async def setter():
//     return c.set('task')
// async def resetter(tok):
//     try: c.reset(tok); trace("reset.ok")
//     except ValueError as e: trace("reset.refused", exc=e)
// async def main():
//     tok = await asyncio.create_task(setter())
//     await asyncio.create_task(resetter(tok))

Coro<void> token_resetter(ContextToken<Str> tok) {
    try {
        c.reset(tok);
        trace("reset.ok");
    } catch (const ValueError& e) {
        trace("reset.refused", {{"exc", e}});
    }
    co_return;
}

Coro<void> dead_context_main() {
    std::optional<ContextToken<Str>> tok;
    {
        // The setter task, and with it its context, is freed before the next task is made:
        // in Python the token keeps its context alive.
        Task<ContextToken<Str>> st = create_task(token_setter());
        tok = co_await st;
    }
    Task<void> rt = create_task(token_resetter(*tok));
    co_await rt;
}

TEST(ContextVarRules, TokenFromAFinishedTasksContextIsRefusedInAnotherTask) {
    expect_trace(&dead_context_main, R"(     0 -            run.start
     0 Task-2       reset.refused exc=ValueError("<Token var=<ContextVar name='c'>> was created in a different Context")
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// ---------------------------------------------------------------- per-task contexts

// var = contextvars.ContextVar('var', default='dflt')
// async def child(tag):
//     trace("child.sees", tag=tag, var=var.get()); var.set(tag)
//     await asyncio.sleep(1); trace("child.after", tag=tag, var=var.get())
// async def main():
//     var.set('before'); t1 = asyncio.create_task(child('c1'))
//     var.set('after'); t2 = asyncio.create_task(child('c2'))
//     trace("parent", var=var.get()); await asyncio.sleep(0)
//     trace("parent.mid", var=var.get()); await t1; await t2
//     trace("parent.end", var=var.get())

Coro<void> child(Str tag) {
    trace("child.sees", {{"tag", tag}, {"var", var.get()}});
    (void)var.set(tag);
    co_await corosim::sleep(seconds(1));
    trace("child.after", {{"tag", tag}, {"var", var.get()}});
}

Coro<void> copies_main() {
    (void)var.set("before");
    Task<void> t1 = create_task(child("c1"));
    (void)var.set("after");
    Task<void> t2 = create_task(child("c2"));
    trace("parent", {{"var", var.get()}});
    co_await corosim::sleep(0);
    trace("parent.mid", {{"var", var.get()}});
    co_await t1;
    co_await t2;
    trace("parent.end", {{"var", var.get()}});
}

TEST(ContextVarRules, TaskCopiesItsCreatorsContextAtCreationAndSiblingsAreIsolated) {
    expect_trace(&copies_main, R"(     0 -            run.start
     0 main         parent var=after
     0 Task-1       child.sees tag=c1 var=before
     0 Task-2       child.sees tag=c2 var=after
     0 main         parent.mid var=after
  1000 Task-1       child.after tag=c1 var=c1
  1000 Task-2       child.after tag=c2 var=c2
  1000 main         parent.end var=after
  1000 -            run.result value=None
  1000 -            gc label=end
  1000 -            run.closed
)");
}

// var = contextvars.ContextVar('var', default='dflt')
// async def writer(tag):
//     trace("writer.sees", tag=tag, var=var.get()); var.set(tag)
//     await asyncio.sleep(1); trace("writer.after", tag=tag, var=var.get())
// async def setter(tag):
//     return var.set(tag)
// async def resetter(tok):
//     var.reset(tok); trace("reset.ok", var=var.get())
// async def main():
//     var.set('main'); ctx = contextvars.copy_context(); var.set('main2')
//     trace("snapshot", ctx=ctx[var], main=var.get())
//     t1 = asyncio.create_task(writer('w1'), context=ctx)
//     t2 = asyncio.create_task(writer('w2'), context=ctx)
//     await t1; await t2; trace("through.ctx", ctx=ctx[var], main=var.get())
//     tok = await asyncio.create_task(setter('s'), context=ctx); trace("set.in.ctx", ctx=ctx[var])
//     await asyncio.create_task(resetter(tok), context=ctx); trace("reset.in.ctx", ctx=ctx[var])
//     empty = contextvars.Context()
//     try: empty[var]
//     except KeyError as e: trace("empty", exc=e)
//     await asyncio.create_task(writer('e'), context=empty)
//     trace("empty.after", value=empty[var], main=var.get())

Coro<void> writer(Str tag) {
    trace("writer.sees", {{"tag", tag}, {"var", var.get()}});
    (void)var.set(tag);
    co_await corosim::sleep(seconds(1));
    trace("writer.after", {{"tag", tag}, {"var", var.get()}});
}

Coro<ContextToken<Str>> var_setter(Str tag) { co_return var.set(tag); }

Coro<void> var_resetter(ContextToken<Str> tok) {
    var.reset(tok);
    trace("reset.ok", {{"var", var.get()}});
    co_return;
}

Coro<void> shared_main() {
    (void)var.set("main");
    const Context ctx = copy_context();
    (void)var.set("main2");
    trace("snapshot", {{"ctx", ctx[var]}, {"main", var.get()}});
    Task<void> t1 = create_task(writer("w1"), "", ctx);
    Task<void> t2 = create_task(writer("w2"), "", ctx);
    co_await t1;
    co_await t2;
    trace("through.ctx", {{"ctx", ctx[var]}, {"main", var.get()}});
    Task<ContextToken<Str>> st = create_task(var_setter("s"), "", ctx);
    const ContextToken<Str> tok = co_await st;
    trace("set.in.ctx", {{"ctx", ctx[var]}});
    Task<void> rt = create_task(var_resetter(tok), "", ctx);
    co_await rt;
    trace("reset.in.ctx", {{"ctx", ctx[var]}});
    const Context empty;
    try {
        (void)empty[var];
    } catch (const KeyError& e) {
        trace("empty", {{"exc", e}});
    }
    Task<void> et = create_task(writer("e"), "", empty);
    co_await et;
    trace("empty.after", {{"value", empty[var]}, {"main", var.get()}});
}

TEST(ContextVarRules, CopyContextIsASnapshotAndTasksGivenOneContextShareIt) {
    expect_trace(&shared_main, R"(     0 -            run.start
     0 main         snapshot ctx=main main=main2
     0 Task-1       writer.sees tag=w1 var=main
     0 Task-2       writer.sees tag=w2 var=w1
  1000 Task-1       writer.after tag=w1 var=w2
  1000 Task-2       writer.after tag=w2 var=w2
  1000 main         through.ctx ctx=w2 main=main2
  1000 main         set.in.ctx ctx=s
  1000 Task-4       reset.ok var=w2
  1000 main         reset.in.ctx ctx=w2
  1000 main         empty exc=KeyError(<ContextVar name='var' default='dflt'>)
  1000 Task-5       writer.sees tag=e var=dflt
  2000 Task-5       writer.after tag=e var=e
  2000 main         empty.after value=e main=main2
  2000 -            run.result value=None
  2000 -            gc label=end
  2000 -            run.closed
)");
}

// ---------------------------------------------------------------- plain callbacks

// var = contextvars.ContextVar('var', default='dflt')
// def cb(tag):
//     trace("cb.sees", tag=tag, var=var.get()); var.set(tag)
// async def main():
//     loop = asyncio.get_running_loop(); var.set('main')
//     loop.call_soon(cb, 'a'); loop.call_soon(cb, 'b')
//     await asyncio.sleep(0); trace("main.sees", var=var.get())

void cb(const char* tag) {
    trace("cb.sees", {{"tag", tag}, {"var", var.get()}});
    (void)var.set(tag);
}

Coro<void> callback_main() {
    Loop& loop = running_loop();
    (void)var.set("main");
    loop.call_soon([] { cb("a"); }, "cb('a')");
    loop.call_soon([] { cb("b"); }, "cb('b')");
    co_await corosim::sleep(0);
    trace("main.sees", {{"var", var.get()}});
}

TEST(ContextVarRules, CallbackRunsInACopyOfTheContextCallSoonWasCalledIn) {
    expect_trace(&callback_main, R"(     0 -            run.start
     0 -            cb.sees tag=a var=main
     0 -            cb.sees tag=b var=main
     0 main         main.sees var=main
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// var = contextvars.ContextVar('var', default='dflt')
// async def child():
//     trace("child.sees", var=var.get())
// def cb(tag):
//     trace("cb.sees", tag=tag, var=var.get()); var.set(tag)
//     asyncio.get_running_loop().create_task(child())
//     tok = var.set(tag + '2'); var.reset(tok); trace("cb.reset", var=var.get())
//     raise ValueError(tag)
// def handler(loop, context):
//     trace("handler", var=var.get())
// async def main():
//     loop = asyncio.get_running_loop(); loop.set_exception_handler(handler)
//     var.set('main'); loop.call_later(1, cb, 'a')
//     var.set('main2'); loop.call_at(loop.time() + 0.5, cb, 'b')
//     await asyncio.sleep(2); trace("main.sees", var=var.get())

Coro<void> timer_cb_child() {
    trace("child.sees", {{"var", var.get()}});
    co_return;
}

void timer_cb(const Str& tag) {
    trace("cb.sees", {{"tag", tag}, {"var", var.get()}});
    (void)var.set(tag);
    (void)create_task(timer_cb_child());
    const ContextToken<Str> tok = var.set(tag + "2");
    var.reset(tok);
    trace("cb.reset", {{"var", var.get()}});
    throw ValueError(tag);
}

Coro<void> timer_callback_main() {
    Loop& loop = running_loop();
    loop.set_exception_handler([](Loop&, const ExceptionContext&) { trace("handler", {{"var", var.get()}}); });
    (void)var.set("main");
    loop.call_later(seconds(1), [] { timer_cb("a"); }, "cb('a')");
    (void)var.set("main2");
    loop.call_at(loop.time() + millis(500), [] { timer_cb("b"); }, "cb('b')");
    co_await corosim::sleep(seconds(2));
    trace("main.sees", {{"var", var.get()}});
}

// call_later/call_at capture too; a task the callback creates copies the callback's context, a
// token made there resets there, and 3.12 runs the custom exception handler in the handle's context.
TEST(ContextVarRules, TimerCallbacksRunInTheirCopyAndTheHandlerSeesIt) {
    expect_trace(&timer_callback_main, R"(     0 -            run.start
   500 -            cb.sees tag=b var=main2
   500 -            cb.reset var=b
   500 -            handler var=b
   500 Task-1       child.sees var=b
  1000 -            cb.sees tag=a var=main
  1000 -            cb.reset var=a
  1000 -            handler var=a
  1000 Task-2       child.sees var=a
  2000 main         main.sees var=main2
  2000 -            run.result value=None
  2000 -            gc label=end
  2000 -            run.closed
)");
}

}  // namespace
}  // namespace corosim
