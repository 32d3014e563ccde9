// conf_heldout.cpp: twins of the held-out async generator conformance programs
// (tests/conformance/programs/heldout_agen_*.py), each adapted from a test of CPython 3.12's
// Lib/test/test_asyncgen.py. The synchronisation-primitive twins are in conf_heldout_sync.cpp,
// the Queue and contextvars ones in conf_heldout_queue.cpp.
//
// Python's implicit exception chaining (an exception raised while another is being handled gets
// it as __context__) is written out by hand where the generator raises from its `finally`.
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

COROSIM_DEFINE_EXCEPTION(ZeroDivisionError, Exception);
COROSIM_DEFINE_EXCEPTION(FooEr, Exception);

using I = std::int64_t;

std::string or_text(const std::optional<I>& v, const char* dflt) { return v ? std::to_string(*v) : std::string(dflt); }

// ---- heldout_agen_asend_crash ----

Coro<void> sleep_n_crash(Nanos delay) {
    co_await sleep(delay);
    throw ZeroDivisionError("division by zero");
}

Coro<void> sleep_task(Nanos delay) { co_await sleep(delay); }

// fut = asyncio.ensure_future(asyncio.sleep(delay)); call_later(delay / 2, fut.cancel)
Coro<void> sleep_n_cancel(Nanos delay) {
    Task<void> fut = create_task(sleep_task(delay));
    running_loop().call_later(delay / 2, [fut]() mutable { fut.cancel(); }, "fut.cancel()");
    co_await fut;
}

AsyncGen<I> ac_gen(std::string how) {
    std::exception_ptr err;
    try {
        co_await sleep(seconds(1));
        std::optional<I> v;
        std::exception_ptr foo;
        try {
            v = co_yield I{1};
        } catch (const FooEr&) {
            foo = std::current_exception();
        }
        if (foo) {  // except FooEr as e: (the handler awaits: outside the C++ catch)
            trace("gen.caught", {{"how", how}, {"exc", foo}});
            std::exception_ptr raised;
            try {
                Coro<void> c = sleep_n_cancel(seconds(1));
                co_await std::move(c);
            } catch (...) {
                raised = std::current_exception();
            }
            if (raised) {
                detail::chain_context(raised, foo);
                std::rethrow_exception(raised);
            }
            v = 0;
        }
        trace("gen.resumed", {{"how", how}, {"v", v}});
        if (how == "crash") {
            Coro<void> c = sleep_n_crash(seconds(1));
            co_await std::move(c);
        } else {
            Coro<void> c = sleep_n_cancel(seconds(1));
            co_await std::move(c);
        }
        trace("gen.unreached", {{"how", how}});
        co_yield *v * 2;
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally", {{"how", how}});
    co_await sleep(seconds(1));
    co_await sleep(seconds(1));
    trace("gen.finally.end", {{"how", how}});
    if (err) std::rethrow_exception(err);
}

Coro<void> heldout_agen_asend_crash() {
    for (std::string how : {"crash", "cancel", "athrow"}) {
        AsyncGen<I> g = ac_gen(how).qualname("gen");
        I first = co_await g.asend(std::nullopt);
        trace("asend", {{"how", how}, {"value", first}});
        try {
            if (how == "athrow") {
                (void)co_await g.athrow(std::make_exception_ptr(FooEr()));
            } else {
                (void)co_await g.asend(I{100});
            }
        } catch (const ZeroDivisionError&) {
            trace("raised", {{"how", how}, {"exc", chain(std::current_exception())}});
        } catch (const CancelledError&) {
            trace("cancelled", {{"how", how},
                                {"exc", chain(std::current_exception())},
                                {"cancelling", current_task()->cancelling()}});
        }
        std::optional<I> after = co_await g.next();
        trace("after", {{"how", how}, {"value", or_text(after, "exhausted")}});
    }
}

// ---- heldout_agen_swallow ----

AsyncGen<I> swallow(std::string tag, bool again) {
    std::exception_ptr e;
    try {
        co_yield I{1};
    } catch (...) {  // except BaseException as e:
        e = std::current_exception();
    }
    if (e) trace("gen.swallowed", {{"tag", tag}, {"exc", e}});
    if (again) {
        co_yield I{2};
        trace("gen.unreached", {{"tag", tag}});
    }
    trace("gen.return", {{"tag", tag}});
}

Coro<void> target() {
    co_await sleep(seconds(1));
    throw ZeroDivisionError("division by zero");
}

AsyncGen<I> with_task() {
    Task<void> task = create_task(target());
    std::exception_ptr err;
    try {
        co_yield I{1};
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally");
    std::exception_ptr failed;
    try {
        co_await task;
    } catch (const ZeroDivisionError&) {
        failed = std::current_exception();
    }
    if (failed) trace("gen.task_failed", {{"exc", failed}});
    if (err) std::rethrow_exception(err);
}

AsyncGen<I> two() {
    co_yield I{1};
    co_yield I{2};
}

Coro<void> heldout_agen_swallow() {
    {
        AsyncGen<I> g = swallow("anext_06", false).qualname("swallow");
        I v = co_await g.asend(std::nullopt);
        trace("asend", {{"value", v}});
        try {
            (void)co_await g.asend(std::nullopt);
        } catch (const StopAsyncIteration&) {
            trace("asend.stop", {{"exc", std::current_exception()}});
        }
    }
    {
        AsyncGen<I> g = swallow("athrow_03", false).qualname("swallow");
        I v = co_await g.asend(std::nullopt);
        trace("asend", {{"value", v}});
        try {
            (void)co_await g.athrow(std::make_exception_ptr(ValueError()));
        } catch (const StopAsyncIteration&) {
            trace("athrow.stop", {{"exc", std::current_exception()}});
        }
    }
    {
        AsyncGen<I> g = swallow("aclose_10", false).qualname("swallow");
        I v = co_await g.asend(std::nullopt);
        trace("asend", {{"value", v}});
        co_await g.aclose();
        trace("aclose", {{"value", None}});
    }
    {
        AsyncGen<I> g = swallow("aclose_11", true).qualname("swallow");
        I v = co_await g.asend(std::nullopt);
        trace("asend", {{"value", v}});
        try {
            co_await g.aclose();
        } catch (const RuntimeError&) {
            trace("aclose.ignored", {{"exc", std::current_exception()}});
        }
    }
    {
        AsyncGen<I> g = with_task().qualname("with_task");
        I v = co_await g.anext();
        trace("anext", {{"value", v}});
        co_await g.aclose();
        trace("aclose", {{"value", None}});
    }
    {
        AsyncGen<I> g = two().qualname("two");
        auto nxt = g.anext();
        I v = co_await nxt;
        trace("anext", {{"value", v}});
        try {
            (void)co_await nxt;
        } catch (const RuntimeError&) {
            trace("anext.reuse", {{"exc", std::current_exception()}});
        }
        co_await g.aclose();
        trace("aclose", {{"value", None}});
    }
    {
        AsyncGen<I> g = two().qualname("two");
        co_await g.aclose();
        trace("aclose.unstarted", {{"value", None}});
        co_await g.aclose();
        trace("aclose.unstarted", {{"value", None}});
    }
    trace("end");
}

// ---- heldout_agen_raise_stop ----

AsyncGen<I> raiser() {
    co_yield I{123};
    trace("gen.raising");
    throw StopAsyncIteration();
}

Coro<void> helper() {
    co_await sleep(seconds(1));
    throw StopAsyncIteration("helper");
}

AsyncGen<I> via_helper() {
    co_yield I{1};
    Coro<void> h = helper();
    co_await std::move(h);
    co_yield I{2};
}

AsyncGen<I> closer() {
    std::exception_ptr err;
    try {
        co_yield I{1};
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally");
    StopAsyncIteration stop("in finally");
    stop.context = err;  // raised inside the finally: the exception in flight is its context
    throw stop;
}

// ME: the module-level list through which the generator reaches itself (main's frame owns it).
AsyncGen<I> selfish(std::vector<AsyncGen<I>>* me) {
    trace("gen.selfish");
    std::exception_ptr refused;
    try {
        (void)co_await (*me)[0].anext();
    } catch (const RuntimeError&) {
        refused = std::current_exception();
    }
    if (refused) {
        trace("gen.refused", {{"exc", refused}});
        std::rethrow_exception(refused);
    }
    co_yield I{123};
}

// main catches Exception, not just RuntimeError, as the Python program does: a wrong exception
// type shows in the trace instead of failing the run.
Coro<void> heldout_agen_raise_stop() {
    {
        AsyncGen<I> g = raiser().qualname("raiser");
        try {
            while (auto v = co_await g.next()) trace("item", {{"v", *v}});
        } catch (const Exception&) {
            trace("raised", {{"exc", chain(std::current_exception())}});
        }
        std::optional<I> after = co_await g.next();
        trace("after", {{"value", or_text(after, "exhausted")}});
    }
    {
        AsyncGen<I> g = via_helper().qualname("via_helper");
        I v = co_await g.anext();
        trace("anext", {{"value", v}});
        try {
            (void)co_await g.anext();
        } catch (const Exception&) {
            trace("raised", {{"exc", chain(std::current_exception())}});
        }
        std::optional<I> after = co_await g.next();
        trace("after", {{"value", or_text(after, "exhausted")}});
    }
    {
        AsyncGen<I> g = closer().qualname("closer");
        I v = co_await g.anext();
        trace("anext", {{"value", v}});
        try {
            co_await g.aclose();
            trace("aclose.clean");
        } catch (const Exception&) {
            trace("aclose.raised", {{"exc", chain(std::current_exception())}});
        }
        std::optional<I> after = co_await g.next();
        trace("after", {{"value", or_text(after, "exhausted")}});
    }
    std::vector<AsyncGen<I>> me;
    me.push_back(selfish(&me).qualname("selfish"));
    try {
        (void)co_await me[0].anext();
    } catch (const Exception&) {
        trace("selfish.raised", {{"exc", chain(std::current_exception())}});
    }
    std::optional<I> after = co_await me[0].next();
    trace("after", {{"value", or_text(after, "exhausted")}});
    me.clear();
    trace("end");
}

// ---- heldout_agen_cancel_inside ----

AsyncGen<I> ci_waiter(std::string tag, Nanos timeout) {
    std::exception_ptr err;
    try {
        co_await sleep(timeout);
        trace("gen.yield", {{"tag", tag}});
        co_yield I{1};
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally", {{"tag", tag}});
    co_await sleep(0);
    trace("gen.finalized", {{"tag", tag}});
    if (err) std::rethrow_exception(err);
}

Coro<void> ci_wait(std::string tag, Nanos timeout) {
    std::exception_ptr cancelled;
    try {
        // The generator lives in the `async for`, which drops it while the exception unwinds.
        AsyncGen<I> g = ci_waiter(tag, timeout).qualname("waiter");
        while (auto v = co_await g.next()) {
            trace("body", {{"tag", tag}});
            co_await sleep(seconds(10));
        }
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    if (cancelled) {
        trace("wait.cancelled", {{"tag", tag}});
        std::rethrow_exception(cancelled);
    }
}

Coro<void> heldout_agen_cancel_inside() {
    std::vector<Task<void>> ts;
    ts.push_back(create_task(ci_wait("t1", seconds(1))));
    ts.push_back(create_task(ci_wait("t2", seconds(1))));
    ts.push_back(create_task(ci_wait("t3", 0)));
    co_await sleep(millis(500));
    for (auto& t : ts) t.cancel();
    for (auto& t : ts) {
        try {
            co_await t;
        } catch (const CancelledError&) {
            trace("joined", {{"task", t.name()}, {"cancelled", t.cancelled()}});
        }
    }
    co_await sleep(0);
    co_await sleep(0);
    trace("end");
}

// ---- heldout_agen_finalizer_shutdown ----

AsyncGen<I> fs_iterate(std::string tag, bool fail) {
    std::exception_ptr err;
    try {
        co_yield I{1};
        co_yield I{2};
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally", {{"tag", tag}, {"exc", err}});  // sys.exc_info()[1]
    if (fail) {
        ZeroDivisionError e("division by zero");
        e.context = err;
        throw e;
    }
    if (err) std::rethrow_exception(err);
}

Coro<void> heldout_agen_finalizer_shutdown() {
    for (auto [tag, fail] : {std::pair<const char*, bool>{"plain", false}, {"failing", true}}) {
        {
            AsyncGen<I> g = fs_iterate(tag, fail).qualname("async_iterate");
            while (auto i = co_await g.next()) {
                trace("item", {{"tag", tag}, {"i", *i}});
                break;
            }
        }  // the `async for` drops its iterator at the break
        trace("broke", {{"tag", tag}});
    }
}

}  // namespace

void register_conf_heldout(Registry& reg) {
    reg.add({"heldout_agen_asend_crash", "asyncgen_cleanup",
             "held-out (test_asyncgen asend_02/03, athrow_02): the body fails inside asend/athrow", {},
             [](const Context&) { return heldout_agen_asend_crash(); }});
    reg.add({"heldout_agen_swallow", "asyncgen_cleanup",
             "held-out (test_asyncgen aclose_10/11/12, athrow_03, anext_06): swallowed throws", {},
             [](const Context&) { return heldout_agen_swallow(); }});
    reg.add({"heldout_agen_raise_stop", "asyncgen_cleanup",
             "held-out (test_asyncgen exception_05/12): StopAsyncIteration in the body, self-anext", {},
             [](const Context&) { return heldout_agen_raise_stop(); }});
    reg.add({"heldout_agen_cancel_inside", "asyncgen_cleanup",
             "held-out (test_asyncgen shutdown_01): tasks cancelled inside and outside anext()", {},
             [](const Context&) { return heldout_agen_cancel_inside(); }});
    reg.add({"heldout_agen_finalizer_shutdown", "asyncgen_cleanup",
             "held-out (test_asyncgen shutdown_exception_02, bpo-38013): aclose tasks cancelled unstarted",
             {},
             [](const Context&) { return heldout_agen_finalizer_shutdown(); }});
}

}  // namespace corosim::scenarios
