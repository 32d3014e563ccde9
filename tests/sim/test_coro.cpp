// Coroutine objects and tasks (SEMANTICS A1-A9, B1-B6, G5).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"

namespace corosim {
namespace {

std::string lines(const RunResult& r) { return r.trace.render_all(false); }

Coro<int> body_marks(std::shared_ptr<int> ran) {
    *ran += 1;
    co_return 7;
}

Coro<void> lazy_main(std::shared_ptr<int> ran) {
    Coro<int> c = body_marks(ran);
    trace("created", {{"ran", *ran}});
    const int v = co_await std::move(c);
    trace("awaited", {{"ran", *ran}, {"v", v}});
}

TEST(Coro, CallingACoroutineFunctionRunsNothingUntilAwaited) {
    auto ran = std::make_shared<int>(0);
    const RunResult r = run([ran] { return lazy_main(ran); });
    ASSERT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_NE(lines(r).find("main         created ran=0\n"), std::string::npos);
    EXPECT_NE(lines(r).find("main         awaited ran=1 v=7\n"), std::string::npos);
}

Coro<void> await_done_future() {
    Future<int> f;
    f.set_result(5);
    const int v = co_await f;
    trace("got", {{"v", v}});
}

TEST(Coro, AwaitingAFinishedFutureDoesNotSuspend) {
    LoopOptions o;
    o.trace_level = TraceLevel::kFull;
    const RunResult r = run([] { return await_done_future(); }, o);
    ASSERT_EQ(r.outcome, Outcome::kPass) << r.message;
    int main_suspends = 0;
    int main_steps = 0;
    for (const Event& e : r.trace.events()) {
        if (e.task == 1 && e.kind == EventKind::kSuspend) ++main_suspends;
        if (e.task == 1 && e.kind == EventKind::kStep) ++main_steps;
    }
    EXPECT_EQ(main_suspends, 0);
    EXPECT_EQ(main_steps, 1);
    EXPECT_NE(lines(r).find("main         got v=5\n"), std::string::npos);
}

Coro<void> never_run_child(std::shared_ptr<int> ran) {
    *ran += 1;
    co_return;
}

Coro<void> drop_a_coroutine(std::shared_ptr<int> ran) {
    { Coro<void> dropped = never_run_child(ran); }
    trace("after");
    co_return;
}

TEST(Coro, NeverAwaitedCoroutineIsWarnedCountedAndDestroyed) {
    auto ran = std::make_shared<int>(0);
    const RunResult r = run([ran] { return drop_a_coroutine(ran); });
    EXPECT_EQ(*ran, 0);
    EXPECT_NE(lines(r).find("main         warning category=RuntimeWarning message=coroutine 'never_run_child' was never "
                            "awaited\n     0 main         after\n"),
              std::string::npos)
        << lines(r);
    // main, never_run_child, and the two shutdown tasks asyncio.run's close() runs.
    EXPECT_EQ(r.frames_created, 4u);
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
}

Coro<int> answer() { co_return 42; }

Coro<void> await_twice() {
    Coro<int> c = answer();
    const int first = co_await c;
    std::string error;
    try {
        (void)co_await c;
    } catch (const RuntimeError& e) {
        error = e.repr();
    }
    trace("twice", {{"first", first}, {"error", error}});
}

TEST(Coro, AwaitingAFinishedCoroutineAgainRaisesRuntimeError) {
    const RunResult r = run([] { return await_twice(); });
    EXPECT_NE(lines(r).find("twice first=42 error=RuntimeError('cannot reuse already awaited coroutine')"),
              std::string::npos)
        << lines(r);
}

Coro<void> fails() {
    co_await sleep(0);
    throw ValueError("bad");
}

Coro<void> catch_from_child() {
    std::string seen;
    try {
        co_await fails();
    } catch (const ValueError& e) {
        seen = e.repr();
    }
    trace("caught", {{"exc", seen}});
}

TEST(Coro, ExceptionPropagatesThroughAwaitInTheSameTask) {
    const RunResult r = run([] { return catch_from_child(); });
    EXPECT_NE(lines(r).find("main         caught exc=ValueError('bad')"), std::string::npos) << lines(r);
}

Coro<int> depth(int n) {
    if (n == 0) co_return 0;
    const int v = co_await depth(n - 1);
    co_return v + 1;
}

Coro<int> leaf() { co_return 1; }

Coro<void> many_sync_awaits(int n) {
    long total = 0;
    for (int i = 0; i < n; ++i) total += co_await leaf();
    const int d = co_await depth(100'000);
    trace("sum", {{"total", total}, {"depth", d}});
}

TEST(CoroDepth, MillionSequentialSyncAwaitsAndDeepChainKeepStackFlat) {
    const RunResult r = run([] { return many_sync_awaits(1'000'000); });
    ASSERT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_NE(lines(r).find("sum total=1000000 depth=100000"), std::string::npos);
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
}

Coro<void> sleeper_logs(std::shared_ptr<std::vector<std::string>> log) {
    try {
        co_await sleep(seconds(100));
        log->push_back("woke");
    } catch (const CancelledError& e) {
        log->push_back("cancelled " + e.repr());
        throw;
    }
}

Coro<void> leave_a_task_behind(std::shared_ptr<std::vector<std::string>> log) {
    Task<void> t = create_task(sleeper_logs(log));
    co_await sleep(seconds(1));
    trace("main.done");
}

TEST(Run, TeardownCancelsAndGathersPendingTasks) {
    auto log = std::make_shared<std::vector<std::string>>();
    const RunResult r = run([log] { return leave_a_task_behind(log); });
    ASSERT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_EQ(*log, (std::vector<std::string>{"cancelled CancelledError()"}));
    EXPECT_NE(lines(r).find("  1000 -            run.cancel_all tasks=['Task-1']\n"), std::string::npos) << lines(r);
    EXPECT_EQ(r.vtime, seconds(1));  // the 100 s timer was cancelled, not waited for
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
}

Coro<void> cancelled_before_start(std::shared_ptr<int> ran) {
    Task<void> t = create_task(never_run_child(ran));
    const bool first = t.cancel();
    const bool second = t.cancel();
    std::string error;
    try {
        co_await t;
    } catch (const CancelledError& e) {
        error = e.repr();
    }
    trace("cancel", {{"first", first}, {"second", second}, {"cancelling", t.cancelling()}, {"error", error},
                     {"cancelled", t.cancelled()}});
}

TEST(TaskCancel, CancelledBeforeFirstStepNeverRunsItsBodyAndDoesNotWarn) {
    auto ran = std::make_shared<int>(0);
    const RunResult r = run([ran] { return cancelled_before_start(ran); });
    EXPECT_EQ(*ran, 0);
    EXPECT_NE(lines(r).find("cancel first=True second=True cancelling=2 error=CancelledError() cancelled=True"),
              std::string::npos)
        << lines(r);
    EXPECT_EQ(lines(r).find("never awaited"), std::string::npos);
}

Coro<void> nothing() { co_return; }

Coro<void> name_two_tasks() {
    Task<void> a = create_task(nothing(), "named");
    Task<void> b = create_task(nothing());
    trace("names", {{"a", a.name()}, {"b", b.name()}});
    co_await a;
    co_await b;
}

TEST(Run, NamedTasksStillConsumeANumber) {
    const RunResult r = run([] { return name_two_tasks(); });
    EXPECT_NE(lines(r).find("names a=named b=Task-2"), std::string::npos) << lines(r);
}

}  // namespace
}  // namespace corosim
