// Runtime diagnostics, one TEST per rule (SEMANTICS A4-A8, B11, G6, G9; debug mode). The expected
// text is the golden of the program each test names (tests/sim/programs/diag_*.py), what CPython
// 3.12.1 printed for it on the conformance reference loop.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "expect_trace.hpp"

namespace corosim {
namespace {

using testing::expect_golden;

std::vector<std::uint64_t> counts;  // loop counters the scenarios sample (no Python counterpart)

/// `try: await aw` / `except E as e: trace(kind, exc=e)`; `await coro` runs inline, as in Python.
template <class E, class A>
Coro<void> await_or_trace(A& aw, const char* kind) {
    try {
        co_await aw;
    } catch (const E& e) {
        trace(kind, {{"exc", e}});
    }
}

Coro<void> boom(std::string tag) {  // async def boom(tag): raise ValueError(tag)
    throw ValueError(tag);
    co_return;
}

// ---------------------------------------------------------------- never awaited (A4, A5)
Coro<void> work(std::string tag) {
    trace("body", {{"tag", tag}});
    co_return;
}
Coro<void> unawaited_child() {
    { Coro<void> c = work("child"); trace("child.made"); }  // del c
    trace("child.dropped");
    Coro<void> k = work("kept");
    trace("child.end");
    co_return;
}
Coro<void> unawaited_main() {
    Loop& loop = running_loop();
    counts.clear();
    { Coro<void> c = work("main"); trace("made"); }  // del c
    trace("dropped");
    counts.push_back(loop.never_awaited_warnings());
    Task<void> t = create_task(unawaited_child());
    co_await t;
    trace("child.done");
    Future<void> done;
    auto callback = [done]() mutable {
        { Coro<void> c = work("cb"); }  // c = work("cb"); del c
        trace("cb.dropped");
        done.set_result();
    };
    loop.call_soon(callback, "callback(<Future pending>)");
    co_await done;
    { Coro<void> c = work("closed"); c.close(); }  // del c
    trace("closed");
    counts.push_back(loop.never_awaited_warnings());
}

TEST(DiagnosticsRules, UnawaitedCoroutineWarnsInTheTaskThatDropsItAndCloseSilencesIt) {
    expect_golden(&unawaited_main, "diag_unawaited");
    // No `body` line: no body ran. One warning per dropped coroutine, none for the closed one.
    EXPECT_EQ(counts, (std::vector<std::uint64_t>{1, 4}));
}

// ---------------------------------------------------------------- reuse (A7, A8)
Coro<int> give(int v) {
    trace("give.body", {{"v", v}});
    co_return v;
}
Coro<void> fail() {
    trace("fail.body");
    throw ValueError("boom");
    co_return;
}
Coro<void> reuse_main() {
    Coro<int> c = give(1);
    const int v = co_await c;
    trace("first", {{"value", v}});
    Coro<void> again = await_or_trace<RuntimeError>(c, "again");
    co_await again;
    Coro<void> f = fail();
    Coro<void> first_fail = await_or_trace<ValueError>(f, "first.fail");
    co_await first_fail;
    Coro<void> again_fail = await_or_trace<RuntimeError>(f, "again.fail");
    co_await again_fail;
}

TEST(DiagnosticsRules, AwaitingAFinishedCoroutineAgainRaisesCannotReuse) {
    expect_golden(&reuse_main, "diag_reuse");
}

Coro<int> slow() {
    trace("slow.start");
    co_await corosim::sleep(seconds(1));
    trace("slow.end");
    co_return 7;
}
Coro<void> busy_waiter(std::shared_ptr<Coro<int>> c) {
    const int v = co_await *c;
    trace("waiter.got", {{"value", v}});
}
Coro<void> busy_main() {
    auto c = std::make_shared<Coro<int>>(slow());
    Task<void> t = create_task(busy_waiter(c));
    co_await corosim::sleep(0);
    Coro<void> second = await_or_trace<RuntimeError>(*c, "second");
    co_await second;
    co_await t;
    Coro<void> after = await_or_trace<RuntimeError>(*c, "after");
    co_await after;
}

TEST(DiagnosticsRules, AwaitingACoroutineAnotherTaskAwaitsRaisesBeingAwaitedAlready) {
    expect_golden(&busy_main, "diag_busy");
}

// ---------------------------------------------------------------- never retrieved (B11)
Coro<void> held_main() {
    Loop& loop = running_loop();
    counts.clear();
    Task<void> t = create_task(boom("held"));
    co_await corosim::sleep(0);
    co_await corosim::sleep(0);
    trace("still.held", {{"done", t.done()}});
    counts.push_back(loop.unretrieved_reports());
    t = Task<void>();  // del t
    trace("dropped");
    counts.push_back(loop.unretrieved_reports());
    co_await corosim::sleep(0);
    trace("no.second.report");
    counts.push_back(loop.unretrieved_reports());
}

TEST(DiagnosticsRules, FailedTaskIsReportedOnceWhenItsLastReferenceGoes) {
    expect_golden(&held_main, "diag_held");
    EXPECT_EQ(counts, (std::vector<std::uint64_t>{0, 1, 1}));
}

Coro<void> retrieved_main() {
    counts.clear();
    Task<void> t = create_task(boom("exception"));
    co_await corosim::sleep(0);
    trace("exception", {{"exc", t.exception()}});
    t = create_task(boom("result"));
    co_await corosim::sleep(0);
    try {
        t.result();
    } catch (const ValueError& e) {
        trace("result", {{"exc", e}});
    }
    t = create_task(boom("awaited"));
    Coro<void> awaited = await_or_trace<ValueError>(t, "awaited");
    co_await awaited;
    t = Task<void>();
    trace("dropped.all");
    co_await corosim::sleep(0);
    trace("end");
    counts.push_back(running_loop().unretrieved_reports());
}

TEST(DiagnosticsRules, ExceptionRetrievedByExceptionResultOrAwaitIsNotReported) {
    expect_golden(&retrieved_main, "diag_retrieved");
    EXPECT_EQ(counts, (std::vector<std::uint64_t>{0}));
}

Coro<void> future_main() {
    {
        Future<void> f;
        f.set_exception(std::make_exception_ptr(ValueError("f")));
        trace("set", {{"done", f.done()}});
    }
    trace("dropped");
    {
        Future<void> g;
        g.set_exception(std::make_exception_ptr(KeyError("g")));
        trace("retrieved", {{"exc", g.exception()}});
    }
    trace("end");
    co_return;
}

TEST(DiagnosticsRules, FutureWithAnUnretrievedExceptionIsReportedWhenFreed) {
    expect_golden(&future_main, "diag_future");
}

// ---------------------------------------------------------------- exception handler (G9)
void custom_handler(Loop&, const ExceptionContext& context) {
    std::vector<std::string> keys;
    for (const auto& kv : context.keys) keys.push_back(kv.first);
    const auto it = context.keys.find("future");  // an object: its repr, the key's rendered text
    trace("handler", {{"message", context.message}, {"exc", context.exception}, {"keys", keys},
                      it == context.keys.end() ? Field("future", None) : Field("future", it->second)});
}
void raising_handler(Loop&, const ExceptionContext& context) {
    trace("raising", {{"message", context.message}});
    throw KeyError("in handler");
}
Coro<void> handler_main() {
    Loop& loop = running_loop();
    loop.set_exception_handler(&custom_handler);
    Task<void> t = create_task(boom("lost"));
    co_await corosim::sleep(0);
    t = Task<void>();
    trace("after.task");
    loop.call_exception_handler({"by hand", std::make_exception_ptr(ValueError("v")), {{"detail", "x"}}});
    loop.set_exception_handler(&raising_handler);
    loop.call_exception_handler({"raise", nullptr, {}});
    trace("after.raise");
    loop.set_exception_handler(nullptr);
    trace("reset", {loop.exception_handler() ? Field("handler", "<custom>") : Field("handler", None)});
    loop.call_exception_handler({"default", nullptr, {{"detail", "y"}}});
    trace("end");
}

TEST(DiagnosticsRules, CustomHandlerSeesReportsARaisingOneGoesToTheDefaultAndNoneResets) {
    expect_golden(&handler_main, "diag_handler");
}

Coro<void> context_repr_main() {
    running_loop().set_exception_handler([](Loop&, const ExceptionContext&) { throw KeyError("in handler"); });
    running_loop().call_exception_handler({"m", nullptr, {{"detail", "x"}}});
    trace("end");
    co_return;
}

TEST(DiagnosticsRules, RaisingHandlerReportShowsTheContextDictRepr) {
    expect_golden(&context_repr_main, "diag_context_repr");
}

Coro<void> interrupt_main() {
    running_loop().set_exception_handler([](Loop&, const ExceptionContext&) { throw KeyboardInterrupt("h"); });
    try {
        running_loop().call_exception_handler({"m", nullptr, {}});
    } catch (const KeyboardInterrupt& e) {
        trace("caught", {{"exc", e}});
    }
    trace("end");
    co_return;
}

TEST(DiagnosticsRules, KeyboardInterruptFromAHandlerPropagatesToTheCaller) {
    expect_golden(&interrupt_main, "diag_interrupt");
}

// ---------------------------------------------------------------- plain callbacks (G6)
void bad(long n) {
    trace("bad", {{"n", n}});
    throw with_int_arg<ValueError>(n);
}

Coro<void> callback_main() {
    Loop& loop = running_loop();
    loop.call_soon([] { bad(1); }, "bad(1)");
    loop.call_soon([] { trace("good"); }, "good()");
    co_await corosim::sleep(0);
    trace("end");
}

TEST(DiagnosticsRules, ExceptionInACallbackIsReportedAndTheIterationGoesOn) {
    expect_golden(&callback_main, "diag_callback");
}

Coro<void> timer_callback_main() {
    running_loop().call_later(seconds(1), [] { bad(2); }, "bad(2)");
    co_await corosim::sleep(seconds(2));
    trace("end");
}

TEST(DiagnosticsRules, ExceptionInATimerCallbackNamesTheTimerHandle) {
    expect_golden(&timer_callback_main, "diag_timer_callback");
}

Coro<void> timer_repr_main() {
    Loop& loop = running_loop();
    loop.call_later(10'000, [] { bad(4); }, "bad(4)");
    co_await corosim::sleep(millis(125));
    loop.set_debug(true);
    loop.call_later(millis(250), [] {
        blocking(seconds(1));
        trace("cb.blocked");
    }, "slow_cb()");
    co_await corosim::sleep(seconds(2));
    trace("end");
}

// `when=` is the float repr of the loop time; a slow timer callback is named by the same repr.
TEST(DiagnosticsRules, TimerHandleReprShowsWhenAsAFloatInReportsAndSlowCallbacks) {
    expect_golden(&timer_repr_main, "diag_timer_repr");
}

// ---------------------------------------------------------------- blocking and debug mode
Coro<void> sleeper() {
    co_await corosim::sleep(millis(500));
    trace("sleeper.woke");
}
Coro<void> blocking_child() {
    blocking(seconds(1));
    trace("child.blocked");
    co_return;
}
Coro<void> slow_main() {
    Loop& loop = running_loop();
    Task<void> t = create_task(sleeper());
    co_await corosim::sleep(0);
    trace("block", {{"debug", loop.debug()}});
    blocking(seconds(2));  // the sleeper's timer falls due at 500 ms, meanwhile
    trace("unblocked");
    co_await corosim::sleep(0);
    trace("yielded");
    co_await t;
    loop.set_debug(true);
    trace("debug.on", {{"debug", loop.debug()}});
    blocking(millis(125));  // this step started with debug off: not timed
    co_await corosim::sleep(0);
    trace("over.default");
    blocking(millis(125));  // >= the default 0.1 s: reported
    co_await corosim::sleep(0);
    trace("under.default");
    blocking(62'500'000);  // 0.0625 s < 0.1 s
    co_await corosim::sleep(0);
    loop.set_slow_callback_duration(millis(500));
    trace("under.threshold");
    blocking(millis(250));
    co_await corosim::sleep(0);
    trace("at.threshold");
    blocking(millis(500));  // dt >= slow_callback_duration: reported
    co_await corosim::sleep(0);
    Task<void> c = create_task(blocking_child());
    co_await c;
    auto slow_cb = [] {
        blocking(millis(500));
        trace("cb.blocked");
    };
    loop.call_soon(slow_cb, "slow_cb()");
    co_await corosim::sleep(0);
    loop.set_debug(false);
    trace("debug.off");
    blocking(seconds(1));  // timed: debug was on when this step started
    co_await corosim::sleep(0);
    trace("off");
    blocking(seconds(1));
    co_await corosim::sleep(0);
    trace("end");
}

TEST(DiagnosticsRules, BlockingDelaysDueTimersAndDebugModeReportsStepsAtOrAboveTheSlowThreshold) {
    // Blocking never yields: the timer due at 500 ms fires at 2000 ms, after main's sleep(0)
    // step queued before it; with debug off nothing is reported.
    expect_golden(&slow_main, "diag_slow");
}

}  // namespace
}  // namespace corosim
