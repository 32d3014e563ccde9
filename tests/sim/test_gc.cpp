// gc_point() and the cyclic collection of pending tasks (sim/include/corosim/gc.hpp; SEMANTICS
// A6, B12, H2). Each expected trace is the golden of the same program in tests/sim/programs
// (gc_*.py), run by CPython 3.12 on the conformance reference loop, which collects only at
// gc_point.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "corosim/corosim.hpp"
#include "expect_trace.hpp"

namespace corosim {
namespace {

using testing::golden;
using testing::lines;

// What gc_point() returned, for the tests that also check the count.
std::vector<std::size_t> collected;

void expect_run(Coro<void> (*make)(), const std::string& name, std::vector<std::size_t> counts) {
    collected.clear();
    const RunResult r = run([make] { return make(); });
    EXPECT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_EQ(lines(r), golden(name));
    EXPECT_EQ(collected, counts);
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
}

// ---- a task main can still wake is left alone ----

Coro<void> holder_waiter(Future<void> fut) {
    trace("waiting");
    co_await fut;
    trace("woke");
}

Coro<void> future_held_by_main() {
    Future<void> fut;
    {
        Task<void> t = create_task(holder_waiter(fut));
        co_await sleep(0);
    }
    collected.push_back(gc_point("a"));
    fut.set_result();
    co_await sleep(0);
    trace("end");
}

TEST(GcPoint, LeavesATaskWhoseFutureARunningTaskStillHolds) {
    expect_run(&future_held_by_main, "gc_future_held_by_main", {0});
}

// ---- a timer's reference keeps a sleeping task ----

Coro<void> sleeper() {
    co_await sleep(seconds(1));
    trace("slept");
}

Coro<void> sleeping_task() {
    {
        Task<void> t = create_task(sleeper());
        co_await sleep(0);
    }
    collected.push_back(gc_point("a"));
    co_await sleep(seconds(2));
    trace("end");
}

TEST(GcPoint, LeavesASleepingTask) {
    expect_run(&sleeping_task, "gc_sleeping_task", {0});
}

// ---- two tasks each holding the future the other awaits: one cycle, both collected ----

struct Box {
    std::optional<Future<void>> fa;
    std::optional<Future<void>> fb;
};

Coro<void> pair_a(std::shared_ptr<Box> box) {
    Future<void> fa;
    box->fa = fa;
    co_await sleep(0);
    Future<void> fb = std::move(*box->fb);
    box->fb.reset();
    try {
        co_await fa;
    } catch (...) {
        trace("a.finally", {{"holds", static_cast<bool>(fb.state())}});
        throw;
    }
}

Coro<void> pair_b(std::shared_ptr<Box> box) {
    Future<void> fb;
    box->fb = fb;
    co_await sleep(0);
    Future<void> fa = std::move(*box->fa);
    box->fa.reset();
    try {
        co_await fb;
    } catch (...) {
        trace("b.finally", {{"holds", static_cast<bool>(fa.state())}});
        throw;
    }
}

Coro<void> cross_held() {
    {
        auto box = std::make_shared<Box>();
        Task<void> a = create_task(pair_a(box));
        Task<void> b = create_task(pair_b(box));
        co_await sleep(0);
        co_await sleep(0);
    }
    collected.push_back(gc_point("a"));
    trace("end");
}

TEST(GcPoint, CollectsTwoTasksHoldingEachOthersFutureInCreationOrder) {
    expect_run(&cross_held, "gc_cross_held", {2});
}

// ---- what close() ends with ----

Coro<void> raiser() {
    Future<void> fut;
    try {
        co_await fut;
    } catch (...) {
    }
    throw ValueError("x");  // finally: raise ValueError("x")
}

Coro<void> finally_raises() {
    {
        Task<void> t = create_task(raiser());
        co_await sleep(0);
    }
    collected.push_back(gc_point("a"));
    trace("end");
}

TEST(GcPoint, AnExceptionOutOfTheCloseIsUnraisableThenTheTaskIsReported) {
    expect_run(&finally_raises, "gc_finally_raises", {1});
}

Coro<std::int64_t> returner() {
    Future<void> fut;
    try {
        co_await fut;
    } catch (const GeneratorExit&) {
        trace("returning");
    }
    co_return 5;
}

Coro<void> close_returns() {
    {
        Task<std::int64_t> t = create_task(returner());
        co_await sleep(0);
    }
    collected.push_back(gc_point("a"));
    trace("end");
}

TEST(GcPoint, ACoroutineThatReturnsFromGeneratorExitClosesQuietly) {
    expect_run(&close_returns, "gc_close_returns", {1});
}

// ---- the report goes through the loop's exception handler ----

Coro<void> handler_sees_task() {
    Loop& loop = running_loop();
    loop.set_exception_handler([](Loop& l, const ExceptionContext& ctx) {
        const auto it = ctx.keys.find("task");
        l.line("handler message=" + ctx.message + " task=" + (it == ctx.keys.end() ? "?" : it->second.text()) +
               " exc=" + (ctx.exception ? "set" : "none"));
    });
    {
        Task<void> t = create_task(holder_waiter(Future<void>()));
        co_await sleep(0);
    }
    collected.push_back(gc_point("a"));
    collected.push_back(gc_point("b"));
}

TEST(GcPoint, ACustomExceptionHandlerGetsTheReportOnce) {
    expect_run(&handler_sees_task, "gc_handler_sees_task", {1, 0});
}

// ---- handles are tracked by their loop, and may outlive it ----

Coro<std::int64_t> seven() {
    co_await sleep(0);
    co_return 7;
}

Coro<void> keep_handles(Task<std::int64_t>* kept, std::optional<Future<std::int64_t>>* fut) {
    *kept = create_task(seven());
    Future<std::int64_t> f;
    f.set_result(3);
    *fut = f;
    co_await *kept;
}

TEST(TrackedHandles, AHandleKeptAfterRunCanBeCopiedReadAndReleased) {
    Task<std::int64_t> kept;
    std::optional<Future<std::int64_t>> fut;
    const RunResult r = run([&kept, &fut] { return keep_handles(&kept, &fut); });
    EXPECT_EQ(r.outcome, Outcome::kPass) << r.message;
    Task<std::int64_t> copy = kept;  // the loop is gone: copying must not touch it
    EXPECT_TRUE(copy.done());
    EXPECT_EQ(copy.result(), 7);
    Future<std::int64_t> moved = std::move(*fut);
    EXPECT_EQ(moved.result(), 3);
    kept = Task<std::int64_t>();
    EXPECT_EQ(copy.result(), 7);
}

}  // namespace
}  // namespace corosim
