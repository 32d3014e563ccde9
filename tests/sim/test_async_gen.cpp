// Async generators (sim/include/corosim/async_gen.hpp, SEMANTICS F): anext, asend, athrow,
// aclose, the error messages and the awaitable states. Every expected trace is the golden of the
// program each test names (tests/sim/programs/agen_*.py), CPython 3.12.1's trace on the
// conformance reference loop. Awaitable states (already running, reuse), the async-for
// helper and the loop's hooks (firstiter, finalizer, shutdown_asyncgens) are in
// test_async_gen_loop.cpp.
#include <gtest/gtest.h>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>

#include "corosim/corosim.hpp"
#include "expect_trace.hpp"

namespace corosim {
namespace {

using testing::expect_golden;

/// `anext(g, "dflt")` as traced: the value, or dflt when the generator is exhausted.
std::string or_dflt(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : std::string("dflt"); }

// ---------------------------------------------------------------- anext

AsyncGen<std::int64_t> count(std::int64_t n) {
    trace("gen.start", {{"n", n}});
    for (std::int64_t i = 0; i < n; ++i) co_yield i * 10;
    trace("gen.end");
}

Coro<void> anext_main() {
    AsyncGen<std::int64_t> g = count(2);
    trace("created");
    std::int64_t v = co_await g.anext();
    trace("got", {{"v", v}});
    v = co_await g.anext();
    trace("got", {{"v", v}});
    try {
        (void)co_await g.anext();
    } catch (const StopAsyncIteration&) {
        trace("stop", {{"exc", std::current_exception()}});
    }
    try {
        (void)co_await g.anext();
    } catch (const StopAsyncIteration&) {
        trace("stop.again", {{"exc", std::current_exception()}});
    }
    AsyncGen<std::int64_t> h = count(1);
    for (int k = 0; k < 3; ++k) {
        const std::optional<std::int64_t> d = co_await h.next();
        trace("default", {{"v", d.value_or(-1)}});
    }
}

TEST(AsyncGenRules, AnextYieldsValuesThenStopAsyncIterationAndTheDefault) {
    expect_golden(&anext_main, "agen_anext");
}

// ---------------------------------------------------------------- asend

AsyncGen<std::int64_t> acc() {
    std::int64_t total = 0;
    trace("acc.start");
    while (true) {
        const std::optional<std::int64_t> got = co_yield total;
        trace("acc.got", {{"got", got}});
        if (!got) break;
        total += *got;
    }
    trace("acc.end", {{"total", total}});
}

Coro<void> asend_main() {
    AsyncGen<std::int64_t> g = acc();
    try {
        (void)co_await g.asend(std::int64_t{5});
    } catch (const TypeError&) {
        trace("early", {{"exc", std::current_exception()}});
    }
    std::int64_t v = co_await g.asend(std::nullopt);
    trace("first", {{"v", v}});
    v = co_await g.asend(std::int64_t{2});
    trace("sent", {{"v", v}});
    v = co_await g.asend(std::int64_t{3});
    trace("sent", {{"v", v}});
    try {
        (void)co_await g.asend(std::nullopt);
    } catch (const StopAsyncIteration&) {
        trace("stop", {{"exc", std::current_exception()}});
    }
    try {
        (void)co_await g.asend(std::int64_t{4});
    } catch (const StopAsyncIteration&) {
        trace("stop.again", {{"exc", std::current_exception()}});
    }
}

TEST(AsyncGenRules, AsendValueBecomesTheYieldExpressionAndNonNoneToAJustStartedOneIsATypeError) {
    expect_golden(&asend_main, "agen_asend");
}

// ---------------------------------------------------------------- athrow

AsyncGen<std::int64_t> thrower() {
    std::exception_ptr err;
    try {
        std::exception_ptr key;
        try {
            co_yield 1;
        } catch (const KeyError&) {
            key = std::current_exception();
        }
        if (key) {
            trace("gen.caught", {{"exc", key}});
            co_await corosim::sleep(seconds(1));
            co_yield 2;
        }
        co_yield 3;
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally");
    if (err) std::rethrow_exception(err);
}

AsyncGen<std::int64_t> quiet() {
    try {
        co_yield 1;
    } catch (const KeyError&) {
        trace("quiet.caught", {{"exc", std::current_exception()}});
    }
}

Coro<void> athrow_main() {
    AsyncGen<std::int64_t> g = thrower().qualname("gen");
    std::int64_t v = co_await g.anext();
    trace("next", {{"v", v}});
    v = *co_await g.athrow(std::make_exception_ptr(KeyError("k")));
    trace("athrow", {{"v", v}});
    try {
        (void)co_await g.athrow(std::make_exception_ptr(ValueError("v")));
    } catch (const ValueError&) {
        trace("escaped", {{"exc", std::current_exception()}});
    }
    try {
        (void)co_await g.anext();
    } catch (const StopAsyncIteration&) {
        trace("after", {{"exc", std::current_exception()}});
    }
    AsyncGen<std::int64_t> q = quiet();
    v = co_await q.anext();
    trace("next", {{"v", v}});
    try {
        (void)co_await q.athrow(std::make_exception_ptr(KeyError("q")));
    } catch (const StopAsyncIteration&) {
        trace("athrow.returned", {{"exc", std::current_exception()}});
    }
}

TEST(AsyncGenRules, AthrowRaisesAtTheYieldCaughtThenYieldsOrPropagatesAndFinishes) {
    expect_golden(&athrow_main, "agen_athrow");
}

AsyncGen<std::int64_t> body_and_finally() {
    std::exception_ptr err;
    try {
        trace("gen.body");
        co_yield 1;
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally");
    if (err) std::rethrow_exception(err);
}

Coro<void> athrow_unstarted_main() {
    AsyncGen<std::int64_t> g = body_and_finally().qualname("gen");
    try {
        (void)co_await g.athrow(std::make_exception_ptr(ValueError("early")));
    } catch (const ValueError&) {
        trace("raised", {{"exc", std::current_exception()}});
    }
    try {
        (void)co_await g.anext();
    } catch (const StopAsyncIteration&) {
        trace("exhausted", {{"exc", std::current_exception()}});
    }
    co_await g.aclose();
    trace("aclose", {{"value", None}});
}

TEST(AsyncGenRules, AthrowOnANotStartedGeneratorRaisesWithoutRunningItAndExhaustsIt) {
    expect_golden(&athrow_unstarted_main, "agen_athrow_unstarted");
}

AsyncGen<std::int64_t> one() { co_yield 1; }

/// `trace(kind, value=await g.athrow(KeyError("late")))`, None for a returning athrow.
Coro<void> athrow_late(AsyncGen<std::int64_t> g, const char* kind) {
    std::exception_ptr raised;
    std::optional<std::int64_t> v;
    try {
        v = co_await g.athrow(std::make_exception_ptr(KeyError("late")));
    } catch (const BaseException&) {
        raised = std::current_exception();
    }
    if (raised) {
        trace(kind, {{"exc", raised}});
    } else {
        trace(kind, {{"value", v}});
    }
}

Coro<void> athrow_finished_main() {
    AsyncGen<std::int64_t> g = one().qualname("gen");
    std::int64_t v = co_await g.anext();
    trace("next", {{"v", v}});
    const std::optional<std::int64_t> d = co_await g.next();
    trace("next", {{"v", or_dflt(d)}});
    co_await athrow_late(g, "athrow.finished");
    AsyncGen<std::int64_t> h = one().qualname("gen");
    v = co_await h.anext();
    trace("next", {{"v", v}});
    try {
        (void)co_await h.athrow(std::make_exception_ptr(ValueError("v")));
    } catch (const ValueError&) {
        trace("escaped", {{"exc", std::current_exception()}});
    }
    co_await athrow_late(h, "athrow.after.escape");
}

TEST(AsyncGenRules, AthrowOnAFinishedGeneratorReturnsNone) {
    expect_golden(&athrow_finished_main, "agen_athrow_finished");
}

// ---------------------------------------------------------------- aclose

AsyncGen<std::int64_t> closable() {
    std::exception_ptr err;
    try {
        co_yield 1;
        trace("gen.unreached");
        co_yield 2;
    } catch (const GeneratorExit&) {
        trace("gen.exit", {{"exc", std::current_exception()}});
        err = std::current_exception();
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally");
    co_await corosim::sleep(seconds(1));
    trace("gen.finally.end");
    if (err) std::rethrow_exception(err);
}

AsyncGen<std::int64_t> bad() {
    try {
        co_yield 1;
    } catch (const GeneratorExit&) {
    }
    trace("bad.finally");
    co_await corosim::sleep(0);
    throw ValueError("cleanup");
}

Coro<void> aclose_main() {
    AsyncGen<std::int64_t> g = closable().qualname("gen");
    std::int64_t v = co_await g.anext();
    trace("next", {{"v", v}});
    co_await g.aclose();
    trace("closed", {{"value", None}});
    co_await g.aclose();
    trace("closed.again", {{"value", None}});
    const std::optional<std::int64_t> d = co_await g.next();
    trace("anext", {{"v", or_dflt(d)}});
    AsyncGen<std::int64_t> b = bad();
    v = co_await b.anext();
    trace("next", {{"v", v}});
    try {
        co_await b.aclose();
    } catch (const ValueError&) {
        trace("aclose.raised", {{"exc", std::current_exception()}});
    }
    co_await b.aclose();
    trace("closed.again", {{"value", None}});
}

TEST(AsyncGenRules, AcloseRaisesGeneratorExitAtTheYieldAndTheFinallyMayAwait) {
    expect_golden(&aclose_main, "agen_aclose");
}

AsyncGen<std::int64_t> tagged(std::string tag) {
    std::exception_ptr err;
    try {
        trace("gen.body", {{"tag", tag}});
        co_yield 1;
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally", {{"tag", tag}});
    if (err) std::rethrow_exception(err);
}

Coro<void> aclose_noop_main() {
    AsyncGen<std::int64_t> g = tagged("never").qualname("gen");
    trace("made");
    co_await g.aclose();
    trace("aclose", {{"value", None}});
    const std::optional<std::int64_t> d = co_await g.next();
    trace("anext", {{"v", or_dflt(d)}});
    AsyncGen<std::int64_t> h = tagged("done").qualname("gen");
    while (auto v = co_await h.next()) trace("item", {{"v", *v}});
    co_await h.aclose();
    trace("aclose", {{"value", None}});
    co_await h.aclose();
    trace("aclose", {{"value", None}});
}

TEST(AsyncGenRules, AcloseOnANeverStartedOrFinishedGeneratorDoesNothing) {
    expect_golden(&aclose_noop_main, "agen_aclose_noop");
}

AsyncGen<std::int64_t> stubborn() {
    try {
        co_yield 1;
    } catch (const GeneratorExit&) {
        trace("gen.exit", {{"exc", std::current_exception()}});
    }
    co_await corosim::sleep(millis(500));
    trace("gen.yield.again");
    co_yield 2;
    trace("gen.after");
}

Coro<void> ignored_exit_main() {
    AsyncGen<std::int64_t> g = stubborn().qualname("gen");
    std::int64_t v = co_await g.anext();
    trace("next", {{"v", v}});
    try {
        co_await g.aclose();
    } catch (const RuntimeError&) {
        trace("aclose", {{"exc", std::current_exception()}});
    }
    const std::optional<std::int64_t> d = co_await g.next();
    trace("anext", {{"v", or_dflt(d)}});
    co_await g.aclose();
    trace("aclose.again", {{"value", None}});
}

TEST(AsyncGenRules, YieldingWhileClosedRaisesIgnoredGeneratorExit) {
    expect_golden(&ignored_exit_main, "agen_ignored_exit");
}

}  // namespace
}  // namespace corosim
