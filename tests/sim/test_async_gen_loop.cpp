// Async generators and the loop (sim/include/corosim/async_gen.hpp, SEMANTICS F1, F4-F10): the
// awaitables' states, the async-for helper, the firstiter and finalizer hooks, the aclose task of
// an abandoned generator, shutdown_asyncgens and frame accounting. Every expected trace is the
// golden of the program each test names (tests/sim/programs/agen_*.py), CPython 3.12.1's trace on
// the conformance reference loop.
#include <gtest/gtest.h>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "expect_trace.hpp"

namespace corosim {
namespace {

using testing::expect_golden;

// ---------------------------------------------------------------- awaitable states

AsyncGen<std::int64_t> slow() {
    std::exception_ptr err;
    try {
        for (std::int64_t i = 0; i < 3; ++i) {
            trace("gen.await", {{"i", i}});
            co_await corosim::sleep(seconds(1));
            co_yield i;
        }
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally");
    if (err) std::rethrow_exception(err);
}

Coro<void> reader(AsyncGen<std::int64_t> g) {
    const std::int64_t v = co_await g.anext();
    trace("reader.got", {{"v", v}});
}

Coro<void> intruder(AsyncGen<std::int64_t> g) {
    try {
        (void)co_await g.anext();
    } catch (const RuntimeError&) {
        trace("anext.refused", {{"exc", std::current_exception()}});
    }
    try {
        co_await g.aclose();
    } catch (const RuntimeError&) {
        trace("aclose.refused", {{"exc", std::current_exception()}});
    }
}

Coro<void> already_running_main() {
    AsyncGen<std::int64_t> g = slow();
    Task<void> t1 = create_task(reader(g));
    Task<void> t2 = create_task(intruder(g));
    co_await t1;
    co_await t2;
    const std::int64_t v = co_await g.anext();
    trace("main.got", {{"v", v}});
    co_await g.aclose();
    trace("end");
}

TEST(AsyncGenLoop, AnextAndAcloseFromAnotherTaskAreRefusedWhileTheGeneratorIsRunning) {
    expect_golden(&already_running_main, "agen_already_running");
}

AsyncGen<std::int64_t> reusable() {
    const std::optional<std::int64_t> x = co_yield 1;
    trace("gen.got", {{"x", x}});
    co_yield 2;
    co_yield 3;
}

Coro<void> reuse_main() {
    AsyncGen<std::int64_t> g = reusable().qualname("gen");
    auto a = g.anext();
    std::int64_t v = co_await a;
    trace("v", {{"v", v}});
    try {
        (void)co_await a;
    } catch (const RuntimeError&) {
        trace("reuse.anext", {{"exc", std::current_exception()}});
    }
    auto s = g.asend(std::int64_t{7});
    v = co_await s;
    trace("v", {{"v", v}});
    try {
        (void)co_await s;
    } catch (const RuntimeError&) {
        trace("reuse.asend", {{"exc", std::current_exception()}});
    }
    auto t = g.athrow(std::make_exception_ptr(KeyError("k")));
    try {
        (void)co_await t;
    } catch (const KeyError&) {
        trace("athrow", {{"exc", std::current_exception()}});
    }
    try {
        (void)co_await t;
    } catch (const RuntimeError&) {
        trace("reuse.athrow", {{"exc", std::current_exception()}});
    }
    auto c = g.aclose();
    co_await c;
    trace("aclose", {{"value", None}});
    try {
        co_await c;
    } catch (const RuntimeError&) {
        trace("reuse.aclose", {{"exc", std::current_exception()}});
    }
}

TEST(AsyncGenLoop, AnAwaitedAnextAsendAthrowOrAcloseAwaitableCannotBeReused) {
    expect_golden(&reuse_main, "agen_reuse");
}

// ---------------------------------------------------------------- async for

AsyncGen<std::int64_t> ticks(std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
        co_await corosim::sleep(seconds(1));
        co_yield i;
    }
    trace("gen.end");
}

Coro<void> async_for_main() {
    AsyncGen<std::int64_t> g = ticks(3);
    while (auto v = co_await g.next()) {
        trace("item", {{"v", *v}});
        co_await corosim::sleep(millis(500));
    }
    trace("loop.done");
    while (auto v = co_await g.next()) trace("unreached", {{"v", *v}});
    trace("loop.again");
    const std::optional<std::int64_t> d = co_await g.next();
    trace("default", {{"v", d ? std::to_string(*d) : std::string("dflt")}});
}

TEST(AsyncGenLoop, NextDrivesAnAsyncForLoopAndEndsWithoutRaising) {
    expect_golden(&async_for_main, "agen_async_for");
}

// ---------------------------------------------------------------- firstiter hook

AsyncGen<std::string> named(std::string tag) {
    trace("gen.body", {{"tag", tag}});
    co_yield tag;
}

Coro<void> user(AsyncGen<std::string> g) {
    while (auto v = co_await g.next()) trace("user.item", {{"v", *v}});
}

Coro<void> firstiter_main() {
    std::optional<AsyncGen<std::string>> never;
    never.emplace(named("never").qualname("gen"));
    AsyncGen<std::string> g = named("a").qualname("gen");
    trace("created");
    auto a = g.anext();
    trace("made");
    const std::string v = co_await a;
    trace("got", {{"v", v}});
    auto b = g.anext();
    trace("made.again");
    const std::optional<std::string> d = co_await g.next();
    trace("default", {{"v", d.value_or("dflt")}});
    AsyncGen<std::string> h = named("b").qualname("gen");
    Task<void> t = create_task(user(h));
    co_await t;
    never.reset();
    trace("end");
}

TEST(AsyncGenLoop, FirstiterFiresOnceWhenTheFirstAwaitableIsMadeInTheTaskMakingIt) {
    expect_golden(&firstiter_main, "agen_firstiter");
}

// ---------------------------------------------------------------- finalizer hook

AsyncGen<std::int64_t> res(std::string tag) {
    std::exception_ptr err;
    try {
        for (std::int64_t i = 0; i < 10; ++i) co_yield i;
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally", {{"tag", tag}});
    co_await corosim::sleep(seconds(1));
    trace("gen.finally.end", {{"tag", tag}});
    if (err) std::rethrow_exception(err);
}

Coro<void> res_reader(std::string tag) {
    AsyncGen<std::int64_t> g = res(tag);
    std::int64_t v = co_await g.anext();
    trace("reader.got", {{"v", v}});
    v = co_await g.anext();
    trace("reader.got", {{"v", v}});
    trace("reader.return");
}

Coro<void> finalize_main() {
    Task<void> t = create_task(res_reader("x"));
    co_await t;
    trace("joined");
    for (std::int64_t n = 1; n < 4; ++n) {
        co_await corosim::sleep(0);
        trace("tick", {{"n", n}});
    }
    co_await corosim::sleep(seconds(2));
    trace("end");
}

TEST(AsyncGenLoop, AnAbandonedGeneratorIsClosedByAnAcloseTaskWhoseFinallyMayAwait) {
    expect_golden(&finalize_main, "agen_finalize");
}

AsyncGen<std::int64_t> res_raises() {
    try {
        co_yield 1;
    } catch (const GeneratorExit&) {
    }
    trace("gen.finally");
    co_await corosim::sleep(0);
    throw ValueError("cleanup");
}

Coro<void> finalize_raises_main() {
    {
        AsyncGen<std::int64_t> g = res_raises().qualname("res");
        const std::int64_t v = co_await g.anext();
        trace("got", {{"v", v}});
    }
    trace("dropped");
    co_await corosim::sleep(seconds(1));
    trace("end");
}

TEST(AsyncGenLoop, AnAcloseTaskThatFailsReportsItsExceptionAsNeverRetrieved) {
    expect_golden(&finalize_raises_main, "agen_finalize_raises");
}

AsyncGen<std::int64_t> left_in_main() {
    std::exception_ptr err;
    try {
        co_yield 1;
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally");
    co_await corosim::sleep(seconds(1));
    trace("gen.finally.end");
    if (err) std::rethrow_exception(err);
}

Coro<void> main_return_main() {
    AsyncGen<std::int64_t> g = left_in_main().qualname("gen");
    const std::int64_t v = co_await g.anext();
    trace("next", {{"v", v}});
    trace("main.end");
}

// 3.12: the aclose() awaitable thrown into before it started stays INIT, so the wakeup after the
// sleep throws GeneratorExit into the finally (no gen.finally.end); 3.13 prints gen.finally.end.
TEST(AsyncGenLoop, AGeneratorAbandonedAsMainReturnsIsClosedByACancelledAcloseTask) {
    expect_golden(&main_return_main, "agen_main_return");
}

// ---------------------------------------------------------------- shutdown_asyncgens

AsyncGen<std::string> held(std::string tag, Nanos delay) {
    std::exception_ptr err;
    try {
        trace("gen.body", {{"tag", tag}});
        co_yield tag;
        co_yield tag;
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally", {{"tag", tag}});
    co_await corosim::sleep(delay);
    trace("gen.finally.end", {{"tag", tag}});
    if (err) std::rethrow_exception(err);
}

Coro<void> shutdown_main() {
    AsyncGen<std::string> a = held("a", seconds(1)).qualname("gen");
    AsyncGen<std::string> b = held("b", millis(500)).qualname("gen");
    AsyncGen<std::string> c = held("c", 0).qualname("gen");
    AsyncGen<std::string> d = held("d", 0).qualname("gen");
    // KEEP: a far timer holds them; the loop drops it at teardown, after shutdown_asyncgens.
    std::vector<AsyncGen<std::string>> keep{a, b, c, d};
    running_loop().call_later(seconds(1'000'000), [keep] { (void)keep; });
    std::string v = co_await a.anext();
    trace("next", {{"v", v}});
    v = co_await b.anext();
    trace("next", {{"v", v}});
    v = co_await c.anext();
    trace("next", {{"v", v}});
    co_await c.aclose();
    trace("main.end");
}

TEST(AsyncGenLoop, ShutdownAsyncgensClosesTheSuspendedGeneratorsInFirstIterationOrder) {
    expect_golden(&shutdown_main, "agen_shutdown");
}

// ---------------------------------------------------------------- frames

AsyncGen<std::int64_t> unstarted() {
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

Coro<void> probe() {
    trace("probe");
    co_return;
}

Coro<void> frames_main() {
    { AsyncGen<std::int64_t> never = unstarted().qualname("gen"); }
    {
        AsyncGen<std::int64_t> g = unstarted().qualname("gen");
        auto a = g.anext();
    }
    trace("dropped");
    co_await corosim::sleep(0);
    trace("tick");
    co_await corosim::sleep(0);
    Task<void> t = create_task(probe());
    co_await t;
    trace("end");
}

Coro<void> frames_baseline() {
    co_await corosim::sleep(0);
    co_await corosim::sleep(0);
    Task<void> t = create_task(probe());
    co_await t;
}

TEST(AsyncGenLoop, UnstartedGeneratorsAreFreedWithoutRunningAndEveryFrameIsDestroyed) {
    expect_golden(&frames_main, "agen_frames");
    // The two generator frames and the aclose task's coroutine are counted, and destroyed: the
    // same run without the generators creates exactly three frames fewer.
    const RunResult with = run([] { return frames_main(); });
    const RunResult without = run([] { return frames_baseline(); });
    EXPECT_EQ(with.frames_created, without.frames_created + 3);
    EXPECT_EQ(with.frames_created, with.frames_destroyed);
}

}  // namespace
}  // namespace corosim
