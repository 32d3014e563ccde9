// contextvars, one TEST per rule (sim/include/corosim/context_var.hpp; python/cpython
// Python/context.c, Lib/asyncio/tasks.py Task.__init__'s copy_context()). The expected text is
// the golden of the program each test names (tests/sim/programs/ctx_*.py), what CPython 3.12.1
// printed for it on the conformance reference loop.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "corosim/corosim.hpp"
#include "expect_trace.hpp"

namespace corosim {
namespace {

using testing::expect_golden;

using Str = std::string;

// Module-level variables, as in the Python programs (a ContextVar must outlive every context).
ContextVar<Str> var("var", Str("dflt"));
ContextVar<Str> bare("bare");
ContextVar<Str> c("c");
ContextVar<Str> d("d");

// ---------------------------------------------------------------- get / set / reset


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
    expect_golden(&get_set_main, "ctx_get_set");
}

// ---------------------------------------------------------------- token errors


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
    expect_golden(&tokens_main, "ctx_tokens");
}


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
    expect_golden(&dead_context_main, "ctx_dead_context");
}

// ---------------------------------------------------------------- per-task contexts


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
    expect_golden(&copies_main, "ctx_copies");
}


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
    expect_golden(&shared_main, "ctx_shared");
}

// ---------------------------------------------------------------- plain callbacks


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
    expect_golden(&callback_main, "ctx_callback");
}


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
    expect_golden(&timer_callback_main, "ctx_timer_callback");
}

}  // namespace
}  // namespace corosim
