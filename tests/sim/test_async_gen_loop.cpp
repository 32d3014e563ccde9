// Async generators and the loop (sim/include/corosim/async_gen.hpp, SEMANTICS F1, F4-F10): the
// awaitables' states, the async-for helper, the firstiter and finalizer hooks, the aclose task of
// an abandoned generator, shutdown_asyncgens and frame accounting. Every expected trace comes from
// CPython 3.12.1 running the Python program quoted above each scenario on the conformance
// reference loop (tests/conformance/refloop.py).
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

using testing::expect_trace;
using testing::lines;

// ---------------------------------------------------------------- awaitable states

// async def slow():
//     try:
//         for i in range(3):
//             trace("gen.await", i=i); await asyncio.sleep(1); yield i
//     finally: trace("gen.finally")
// async def reader(g): trace("reader.got", v=await anext(g))
// async def intruder(g):
//     try: await anext(g)
//     except RuntimeError as e: trace("anext.refused", exc=e)
//     try: await g.aclose()
//     except RuntimeError as e: trace("aclose.refused", exc=e)
// async def main():
//     g = slow()
//     t1 = asyncio.create_task(reader(g)); t2 = asyncio.create_task(intruder(g))
//     await t1; await t2
//     trace("main.got", v=await anext(g)); await g.aclose(); trace("end")
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
    expect_trace(&already_running_main, R"(     0 -            run.start
     0 Task-1       asyncgen.firstiter name=slow
     0 Task-1       gen.await i=0
     0 Task-2       anext.refused exc=RuntimeError('anext(): asynchronous generator is already running')
     0 Task-2       aclose.refused exc=RuntimeError('aclose(): asynchronous generator is already running')
  1000 Task-1       reader.got v=0
  1000 main         gen.await i=1
  2000 main         main.got v=1
  2000 main         gen.finally
  2000 main         end
  2000 -            run.result value=None
  2000 -            gc label=end
  2000 -            run.closed
)");
}

// async def gen():
//     x = yield 1; trace("gen.got", x=x); yield 2; yield 3
// async def main():
//     g = gen()
//     a = g.__anext__(); trace("v", v=await a)
//     try: await a
//     except RuntimeError as e: trace("reuse.anext", exc=e)
//     s = g.asend(7); trace("v", v=await s)
//     try: await s
//     except RuntimeError as e: trace("reuse.asend", exc=e)
//     t = g.athrow(KeyError("k"))
//     try: await t
//     except KeyError as e: trace("athrow", exc=e)
//     try: await t
//     except RuntimeError as e: trace("reuse.athrow", exc=e)
//     del a, s, t   # (they would outlive main through a reference cycle otherwise)
//     c = g.aclose(); trace("aclose", value=await c)
//     try: await c
//     except RuntimeError as e: trace("reuse.aclose", exc=e)
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
    expect_trace(&reuse_main, R"(     0 -            run.start
     0 main         asyncgen.firstiter name=gen
     0 main         v v=1
     0 main         reuse.anext exc=RuntimeError('cannot reuse already awaited __anext__()/asend()')
     0 main         gen.got x=7
     0 main         v v=2
     0 main         reuse.asend exc=RuntimeError('cannot reuse already awaited __anext__()/asend()')
     0 main         athrow exc=KeyError('k')
     0 main         reuse.athrow exc=RuntimeError('cannot reuse already awaited aclose()/athrow()')
     0 main         aclose value=None
     0 main         reuse.aclose exc=RuntimeError('cannot reuse already awaited aclose()/athrow()')
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// ---------------------------------------------------------------- async for

// async def ticks(n):
//     for i in range(n): await asyncio.sleep(1); yield i
//     trace("gen.end")
// async def main():
//     g = ticks(3)
//     async for v in g: trace("item", v=v); await asyncio.sleep(0.5)
//     trace("loop.done")
//     async for v in g: trace("unreached", v=v)
//     trace("loop.again"); trace("default", v=await anext(g, "dflt"))
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
    expect_trace(&async_for_main, R"(     0 -            run.start
     0 main         asyncgen.firstiter name=ticks
  1000 main         item v=0
  2500 main         item v=1
  4000 main         item v=2
  4500 main         gen.end
  4500 main         loop.done
  4500 main         loop.again
  4500 main         default v=dflt
  4500 -            run.result value=None
  4500 -            gc label=end
  4500 -            run.closed
)");
}

// ---------------------------------------------------------------- firstiter hook

// async def gen(tag): trace("gen.body", tag=tag); yield tag
// async def user(g):
//     async for v in g: trace("user.item", v=v)
// async def main():
//     never = gen("never"); g = gen("a"); trace("created")
//     a = anext(g); trace("made"); trace("got", v=await a)
//     b = anext(g); trace("made.again"); trace("default", v=await anext(g, "dflt"))
//     h = gen("b"); t = asyncio.create_task(user(h)); await t
//     del never; trace("end")
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
    expect_trace(&firstiter_main, R"(     0 -            run.start
     0 main         created
     0 main         asyncgen.firstiter name=gen
     0 main         made
     0 main         gen.body tag=a
     0 main         got v=a
     0 main         made.again
     0 main         default v=dflt
     0 Task-1       asyncgen.firstiter name=gen
     0 Task-1       gen.body tag=b
     0 Task-1       user.item v=b
     0 main         end
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// ---------------------------------------------------------------- finalizer hook

// async def res(tag):
//     try:
//         for i in range(10): yield i
//     finally:
//         trace("gen.finally", tag=tag); await asyncio.sleep(1); trace("gen.finally.end", tag=tag)
// async def reader(tag):
//     g = res(tag)
//     trace("reader.got", v=await anext(g)); trace("reader.got", v=await anext(g))
//     trace("reader.return")
// async def main():
//     t = asyncio.create_task(reader("x")); await t; trace("joined")
//     for n in range(1, 4): await asyncio.sleep(0); trace("tick", n=n)
//     await asyncio.sleep(2); trace("end")
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
    expect_trace(&finalize_main, R"(     0 -            run.start
     0 Task-1       asyncgen.firstiter name=res
     0 Task-1       reader.got v=0
     0 Task-1       reader.got v=1
     0 Task-1       reader.return
     0 Task-1       asyncgen.finalizer name=res
     0 main         joined
     0 Task-2       gen.finally tag=x
     0 main         tick n=1
     0 main         tick n=2
     0 main         tick n=3
  1000 Task-2       gen.finally.end tag=x
  2000 main         end
  2000 -            run.result value=None
  2000 -            gc label=end
  2000 -            run.closed
)");
}

// async def res():
//     try: yield 1
//     finally: trace("gen.finally"); await asyncio.sleep(0); raise ValueError("cleanup")
// async def main():
//     g = res(); trace("got", v=await anext(g))
//     del g; trace("dropped"); await asyncio.sleep(1); trace("end")
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
    expect_trace(&finalize_raises_main, R"(     0 -            run.start
     0 main         asyncgen.firstiter name=res
     0 main         got v=1
     0 main         asyncgen.finalizer name=res
     0 main         dropped
     0 Task-1       gen.finally
     0 -            loop.error message=Task exception was never retrieved future=<Task Task-1> exc=ValueError('cleanup')
  1000 main         end
  1000 -            run.result value=None
  1000 -            gc label=end
  1000 -            run.closed
)");
}

// async def gen():
//     try: yield 1
//     finally: trace("gen.finally"); await asyncio.sleep(1); trace("gen.finally.end")
// async def main():
//     g = gen(); trace("next", v=await anext(g)); trace("main.end")
// (SEMANTICS F10: the aclose task is cancelled by run() before its first step; on 3.12 the
// finally starts with that CancelledError and GeneratorExit ends it at its await.)
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
    expect_trace(&main_return_main, R"(     0 -            run.start
     0 main         asyncgen.firstiter name=gen
     0 main         next v=1
     0 main         main.end
     0 main         asyncgen.finalizer name=gen
     0 -            run.result value=None
     0 -            run.cancel_all tasks=['Task-1']
     0 Task-1       gen.finally
  1000 -            gc label=end
  1000 -            run.closed
)");
}

// ---------------------------------------------------------------- shutdown_asyncgens

// KEEP = []
// async def gen(tag, delay):
//     try: trace("gen.body", tag=tag); yield tag; yield tag
//     finally:
//         trace("gen.finally", tag=tag); await asyncio.sleep(delay); trace("gen.finally.end", tag=tag)
// async def main():
//     a = gen("a", 1); b = gen("b", 0.5); c = gen("c", 0); d = gen("d", 0)
//     KEEP.extend([a, b, c, d])
//     trace("next", v=await anext(a)); trace("next", v=await anext(b)); trace("next", v=await anext(c))
//     await c.aclose(); trace("main.end")
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
    expect_trace(&shutdown_main, R"(     0 -            run.start
     0 main         asyncgen.firstiter name=gen
     0 main         gen.body tag=a
     0 main         next v=a
     0 main         asyncgen.firstiter name=gen
     0 main         gen.body tag=b
     0 main         next v=b
     0 main         asyncgen.firstiter name=gen
     0 main         gen.body tag=c
     0 main         next v=c
     0 main         gen.finally tag=c
     0 main         gen.finally.end tag=c
     0 main         main.end
     0 -            run.result value=None
     0 -            run.shutdown_asyncgens
     0 Task-2       gen.finally tag=a
     0 Task-3       gen.finally tag=b
   500 Task-3       gen.finally.end tag=b
  1000 Task-2       gen.finally.end tag=a
  1000 -            gc label=end
  1000 -            run.closed
)");
}

// ---------------------------------------------------------------- frames

// async def gen():
//     try: trace("gen.body"); yield 1
//     finally: trace("gen.finally")
// async def probe(): trace("probe")
// async def main():
//     never = gen(); del never          # never iterated: no hook at all
//     g = gen(); a = anext(g); del a; del g   # hooked, never started: finalizer, no-op aclose task
//     trace("dropped"); await asyncio.sleep(0); trace("tick"); await asyncio.sleep(0)
//     await asyncio.create_task(probe()); trace("end")
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
    expect_trace(&frames_main, R"(     0 -            run.start
     0 main         asyncgen.firstiter name=gen
     0 main         asyncgen.finalizer name=gen
     0 main         dropped
     0 main         tick
     0 Task-2       probe
     0 main         end
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
    // The two generator frames and the aclose task's coroutine are counted, and destroyed: the
    // same run without the generators creates exactly three frames fewer.
    const RunResult with = run([] { return frames_main(); });
    const RunResult without = run([] { return frames_baseline(); });
    EXPECT_EQ(with.frames_created, without.frames_created + 3);
    EXPECT_EQ(with.frames_created, with.frames_destroyed);
}

}  // namespace
}  // namespace corosim
