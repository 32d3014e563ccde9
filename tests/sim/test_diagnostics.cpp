// Runtime diagnostics, one TEST per rule (SEMANTICS A4-A8, B11, G6, G9; debug mode). Each test quotes
// its Python program (plus `import asyncio; from refloop import trace, blocking; DEFAULTS = {}`);
// the expected text is what CPython 3.12.1 printed for it with tests/conformance/refloop.py.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "expect_trace.hpp"

namespace corosim {
namespace {

using testing::expect_trace;
using testing::lines;

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
// async def work(tag):
//     trace("body", tag=tag)
// async def child():
//     c = work("child"); trace("child.made"); del c; trace("child.dropped")
//     k = work("kept"); trace("child.end")        # k dies with the finished frame
// def callback(done):
//     c = work("cb"); del c; trace("cb.dropped"); done.set_result(None)
// async def main():
//     c = work("main"); trace("made"); del c; trace("dropped")
//     await asyncio.create_task(child()); trace("child.done")
//     loop = asyncio.get_running_loop(); done = loop.create_future()
//     loop.call_soon(callback, done); await done
//     c = work("closed"); c.close(); del c; trace("closed")
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
    expect_trace(&unawaited_main, R"(     0 -            run.start
     0 main         made
     0 main         warning category=RuntimeWarning message=coroutine 'work' was never awaited
     0 main         dropped
     0 Task-1       child.made
     0 Task-1       warning category=RuntimeWarning message=coroutine 'work' was never awaited
     0 Task-1       child.dropped
     0 Task-1       child.end
     0 Task-1       warning category=RuntimeWarning message=coroutine 'work' was never awaited
     0 main         child.done
     0 -            warning category=RuntimeWarning message=coroutine 'work' was never awaited
     0 -            cb.dropped
     0 main         closed
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
    // No `body` line: no body ran. One warning per dropped coroutine, none for the closed one.
    EXPECT_EQ(counts, (std::vector<std::uint64_t>{1, 4}));
}

// ---------------------------------------------------------------- reuse (A7, A8)
// async def give(v):
//     trace("give.body", v=v); return v
// async def fail():
//     trace("fail.body"); raise ValueError('boom')
// async def main():
//     c = give(1); trace("first", value=await c)
//     try: await c
//     except RuntimeError as e: trace("again", exc=e)
//     f = fail()
//     try: await f
//     except ValueError as e: trace("first.fail", exc=e)
//     try: await f
//     except RuntimeError as e: trace("again.fail", exc=e)
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
    expect_trace(&reuse_main, R"(     0 -            run.start
     0 main         give.body v=1
     0 main         first value=1
     0 main         again exc=RuntimeError('cannot reuse already awaited coroutine')
     0 main         fail.body
     0 main         first.fail exc=ValueError('boom')
     0 main         again.fail exc=RuntimeError('cannot reuse already awaited coroutine')
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// async def slow():
//     trace("slow.start"); await asyncio.sleep(1); trace("slow.end"); return 7
// async def waiter(c):
//     trace("waiter.got", value=await c)
// async def main():
//     c = slow(); t = asyncio.create_task(waiter(c)); await asyncio.sleep(0)
//     try: await c
//     except RuntimeError as e: trace("second", exc=e)
//     await t
//     try: await c
//     except RuntimeError as e: trace("after", exc=e)
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
    expect_trace(&busy_main, R"(     0 -            run.start
     0 Task-1       slow.start
     0 main         second exc=RuntimeError('coroutine is being awaited already')
  1000 Task-1       slow.end
  1000 Task-1       waiter.got value=7
  1000 main         after exc=RuntimeError('cannot reuse already awaited coroutine')
  1000 -            run.result value=None
  1000 -            gc label=end
  1000 -            run.closed
)");
}

// ---------------------------------------------------------------- never retrieved (B11)
// async def main():                            # boom: see above
//     t = asyncio.create_task(boom('held'))
//     await asyncio.sleep(0); await asyncio.sleep(0)
//     trace("still.held", done=t.done())
//     del t; trace("dropped")
//     await asyncio.sleep(0); trace("no.second.report")
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
    expect_trace(&held_main, R"(     0 -            run.start
     0 main         still.held done=True
     0 main         loop.error message=Task exception was never retrieved future=<Task Task-1> exc=ValueError('held')
     0 main         dropped
     0 main         no.second.report
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
    EXPECT_EQ(counts, (std::vector<std::uint64_t>{0, 1, 1}));
}

// async def main():                            # boom: see above
//     t = asyncio.create_task(boom('exception')); await asyncio.sleep(0)
//     trace("exception", exc=t.exception()); del t
//     t = asyncio.create_task(boom('result')); await asyncio.sleep(0)
//     try: t.result()
//     except ValueError as e: trace("result", exc=e)
//     del t
//     t = asyncio.create_task(boom('awaited'))
//     try: await t
//     except ValueError as e: trace("awaited", exc=e)
//     del t; trace("dropped.all"); await asyncio.sleep(0); trace("end")
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
    expect_trace(&retrieved_main, R"(     0 -            run.start
     0 main         exception exc=ValueError('exception')
     0 main         result exc=ValueError('result')
     0 main         awaited exc=ValueError('awaited')
     0 main         dropped.all
     0 main         end
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
    EXPECT_EQ(counts, (std::vector<std::uint64_t>{0}));
}

// async def main():
//     loop = asyncio.get_running_loop()
//     f = loop.create_future(); f.set_exception(ValueError('f'))
//     trace("set", done=f.done()); del f; trace("dropped")
//     g = loop.create_future(); g.set_exception(KeyError('g'))
//     trace("retrieved", exc=g.exception()); del g; trace("end")
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
    expect_trace(&future_main, R"(     0 -            run.start
     0 main         set done=True
     0 main         loop.error message=Future exception was never retrieved future=<Future finished exception=ValueError('f')> exc=ValueError('f')
     0 main         dropped
     0 main         retrieved exc=KeyError('g')
     0 main         end
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// ---------------------------------------------------------------- exception handler (G9)
// def custom(loop, context):
//     trace("handler", message=context["message"], exc=context.get("exception"),
//           keys=sorted(k for k in context if k not in ("message", "exception")),
//           future=context.get("future"))
// def raising(loop, context):
//     trace("raising", message=context["message"]); raise KeyError('in handler')
// (boom: see above)
// async def main():
//     loop = asyncio.get_running_loop(); loop.set_exception_handler(custom)
//     t = asyncio.create_task(boom('lost')); await asyncio.sleep(0); del t; trace("after.task")
//     loop.call_exception_handler({"message": "by hand", "exception": ValueError('v'), "detail": "x"})
//     loop.set_exception_handler(raising)
//     loop.call_exception_handler({"message": "raise"}); trace("after.raise")
//     loop.set_exception_handler(None); trace("reset", handler=loop.get_exception_handler())
//     loop.call_exception_handler({"message": "default", "detail": "y"}); trace("end")
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
    expect_trace(&handler_main, R"(     0 -            run.start
     0 main         handler message=Task exception was never retrieved exc=ValueError('lost') keys=['future'] future=<Task Task-1>
     0 main         after.task
     0 main         handler message=by hand exc=ValueError('v') keys=['detail'] future=None
     0 main         raising message=raise
     0 main         loop.error message=Unhandled error in exception handler context={'message': 'raise'} exc=KeyError('in handler')
     0 main         after.raise
     0 main         reset handler=None
     0 main         loop.error message=default detail=y
     0 main         end
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// def raising(loop, context):
//     raise KeyError('in handler')
// async def main():
//     loop = asyncio.get_running_loop(); loop.set_exception_handler(raising)
//     loop.call_exception_handler({"message": "m", "detail": "x"}); trace("end")
Coro<void> context_repr_main() {
    running_loop().set_exception_handler([](Loop&, const ExceptionContext&) { throw KeyError("in handler"); });
    running_loop().call_exception_handler({"m", nullptr, {{"detail", "x"}}});
    trace("end");
    co_return;
}

TEST(DiagnosticsRules, RaisingHandlerReportShowsTheContextDictRepr) {
    expect_trace(&context_repr_main, R"(     0 -            run.start
     0 main         loop.error message=Unhandled error in exception handler context={'message': 'm', 'detail': 'x'} exc=KeyError('in handler')
     0 main         end
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// def h(loop, context):
//     raise KeyboardInterrupt('h')
// async def main():
//     loop = asyncio.get_running_loop(); loop.set_exception_handler(h)
//     try: loop.call_exception_handler({"message": "m"})
//     except KeyboardInterrupt as e: trace("caught", exc=e)
//     trace("end")
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
    expect_trace(&interrupt_main, R"(     0 -            run.start
     0 main         caught exc=KeyboardInterrupt('h')
     0 main         end
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// ---------------------------------------------------------------- plain callbacks (G6)
// def bad(n):
//     trace("bad", n=n); raise ValueError(n)
// def good():
//     trace("good")
// async def main():
//     loop = asyncio.get_running_loop()
//     loop.call_soon(bad, 1); loop.call_soon(good); await asyncio.sleep(0); trace("end")
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
    expect_trace(&callback_main, R"(     0 -            run.start
     0 -            bad n=1
     0 -            loop.error message=Exception in callback bad(1) handle=<Handle bad(1)> exc=ValueError(1)
     0 -            good
     0 main         end
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// (bad as above)
// async def main():
//     loop = asyncio.get_running_loop(); loop.call_later(1, bad, 2)
//     await asyncio.sleep(2); trace("end")
Coro<void> timer_callback_main() {
    running_loop().call_later(seconds(1), [] { bad(2); }, "bad(2)");
    co_await corosim::sleep(seconds(2));
    trace("end");
}

TEST(DiagnosticsRules, ExceptionInATimerCallbackNamesTheTimerHandle) {
    expect_trace(&timer_callback_main, R"(     0 -            run.start
  1000 -            bad n=2
  1000 -            loop.error message=Exception in callback bad(2) handle=<TimerHandle when=1.0 bad(2)> exc=ValueError(2)
  2000 main         end
  2000 -            run.result value=None
  2000 -            gc label=end
  2000 -            run.closed
)");
}

// (bad as above)
// def slow_cb():
//     blocking(1); trace("cb.blocked")
// async def main():
//     loop = asyncio.get_running_loop()
//     loop.call_later(1e-05, bad, 4); await asyncio.sleep(0.125)
//     loop.set_debug(True); loop.call_later(0.25, slow_cb)
//     await asyncio.sleep(2); trace("end")
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
    expect_trace(&timer_repr_main, R"(     0 -            run.start
     0 -            bad n=4
     0 -            loop.error message=Exception in callback bad(4) handle=<TimerHandle when=1e-05 bad(4)> exc=ValueError(4)
  1375 -            cb.blocked
  1375 -            loop.slow message=Executing <TimerHandle when=0.375 slow_cb()> took 1.000 seconds
  2125 main         end
  2125 -            run.result value=None
  2125 -            gc label=end
  2125 -            run.closed
)");
}

// ---------------------------------------------------------------- blocking and debug mode
// async def sleeper():
//     await asyncio.sleep(0.5); trace("sleeper.woke")
// async def child():
//     blocking(1); trace("child.blocked")
// def slow_cb():
//     blocking(0.5); trace("cb.blocked")
// async def main():
//     loop = asyncio.get_running_loop(); t = asyncio.create_task(sleeper()); await asyncio.sleep(0)
//     trace("block", debug=loop.get_debug()); blocking(2); trace("unblocked")
//     await asyncio.sleep(0); trace("yielded"); await t
//     loop.set_debug(True); trace("debug.on", debug=loop.get_debug())
//     blocking(0.125); await asyncio.sleep(0)
//     trace("over.default"); blocking(0.125); await asyncio.sleep(0)
//     trace("under.default"); blocking(0.0625); await asyncio.sleep(0)
//     loop.slow_callback_duration = 0.5
//     trace("under.threshold"); blocking(0.25); await asyncio.sleep(0)
//     trace("at.threshold"); blocking(0.5); await asyncio.sleep(0)
//     await asyncio.create_task(child())
//     loop.call_soon(slow_cb); await asyncio.sleep(0)
//     loop.set_debug(False); trace("debug.off"); blocking(1); await asyncio.sleep(0)
//     trace("off"); blocking(1); await asyncio.sleep(0); trace("end")
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
    expect_trace(&slow_main, R"(     0 -            run.start
     0 main         block debug=False
  2000 main         unblocked
  2000 main         yielded
  2000 Task-1       sleeper.woke
  2000 main         debug.on debug=True
  2125 main         over.default
  2250 -            loop.slow message=Executing <Task main> took 0.125 seconds
  2250 main         under.default
  2312 main         under.threshold
  2562 main         at.threshold
  3062 -            loop.slow message=Executing <Task main> took 0.500 seconds
  4062 Task-2       child.blocked
  4062 -            loop.slow message=Executing <Task Task-2> took 1.000 seconds
  4562 -            cb.blocked
  4562 -            loop.slow message=Executing <Handle slow_cb()> took 0.500 seconds
  4562 main         debug.off
  5562 -            loop.slow message=Executing <Task main> took 1.000 seconds
  5562 main         off
  6562 main         end
  6562 -            run.result value=None
  6562 -            gc label=end
  6562 -            run.closed
)");
}

}  // namespace
}  // namespace corosim
