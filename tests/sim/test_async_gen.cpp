// Async generators (sim/include/corosim/async_gen.hpp, SEMANTICS F): anext, asend, athrow,
// aclose, the error messages and the awaitable states. Every expected trace comes from CPython
// 3.12.1 running the Python program quoted above each scenario on the conformance reference loop
// (tests/conformance/refloop.py). Awaitable states (already running, reuse), the async-for
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

using testing::expect_trace;
using testing::lines;

/// `anext(g, "dflt")` as traced: the value, or dflt when the generator is exhausted.
std::string or_dflt(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : std::string("dflt"); }

// ---------------------------------------------------------------- anext

// async def count(n):
//     trace("gen.start", n=n)
//     for i in range(n): yield i * 10
//     trace("gen.end")
// async def main():
//     g = count(2); trace("created")
//     trace("got", v=await anext(g)); trace("got", v=await anext(g))
//     try: await anext(g)
//     except StopAsyncIteration as e: trace("stop", exc=e)
//     try: await anext(g)
//     except StopAsyncIteration as e: trace("stop.again", exc=e)
//     h = count(1)
//     for _ in range(3): trace("default", v=await anext(h, -1))
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
    expect_trace(&anext_main, R"(     0 -            run.start
     0 main         created
     0 main         asyncgen.firstiter name=count
     0 main         gen.start n=2
     0 main         got v=0
     0 main         got v=10
     0 main         gen.end
     0 main         stop exc=StopAsyncIteration()
     0 main         stop.again exc=StopAsyncIteration()
     0 main         asyncgen.firstiter name=count
     0 main         gen.start n=1
     0 main         default v=0
     0 main         gen.end
     0 main         default v=-1
     0 main         default v=-1
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// ---------------------------------------------------------------- asend

// async def acc():
//     total = 0; trace("acc.start")
//     while True:
//         got = yield total
//         trace("acc.got", got=got)
//         if got is None: break
//         total += got
//     trace("acc.end", total=total)
// async def main():
//     g = acc()
//     try: await g.asend(5)
//     except TypeError as e: trace("early", exc=e)
//     trace("first", v=await g.asend(None))
//     trace("sent", v=await g.asend(2)); trace("sent", v=await g.asend(3))
//     try: await g.asend(None)
//     except StopAsyncIteration as e: trace("stop", exc=e)
//     try: await g.asend(4)
//     except StopAsyncIteration as e: trace("stop.again", exc=e)
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
    expect_trace(&asend_main, R"(     0 -            run.start
     0 main         asyncgen.firstiter name=acc
     0 main         early exc=TypeError("can't send non-None value to a just-started async generator")
     0 main         acc.start
     0 main         first v=0
     0 main         acc.got got=2
     0 main         sent v=2
     0 main         acc.got got=3
     0 main         sent v=5
     0 main         acc.got got=None
     0 main         acc.end total=5
     0 main         stop exc=StopAsyncIteration()
     0 main         stop.again exc=StopAsyncIteration()
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// ---------------------------------------------------------------- athrow

// async def gen():
//     try:
//         try: yield 1
//         except KeyError as e:
//             trace("gen.caught", exc=e); await asyncio.sleep(1); yield 2
//         yield 3
//     finally: trace("gen.finally")
// async def quiet():
//     try: yield 1
//     except KeyError as e: trace("quiet.caught", exc=e)
// async def main():
//     g = gen(); trace("next", v=await anext(g))
//     trace("athrow", v=await g.athrow(KeyError("k")))
//     try: await g.athrow(ValueError("v"))
//     except ValueError as e: trace("escaped", exc=e)
//     try: await anext(g)
//     except StopAsyncIteration as e: trace("after", exc=e)
//     q = quiet(); trace("next", v=await anext(q))
//     try: await q.athrow(KeyError("q"))
//     except StopAsyncIteration as e: trace("athrow.returned", exc=e)
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
    expect_trace(&athrow_main, R"(     0 -            run.start
     0 main         asyncgen.firstiter name=gen
     0 main         next v=1
     0 main         gen.caught exc=KeyError('k')
  1000 main         athrow v=2
  1000 main         gen.finally
  1000 main         escaped exc=ValueError('v')
  1000 main         after exc=StopAsyncIteration()
  1000 main         asyncgen.firstiter name=quiet
  1000 main         next v=1
  1000 main         quiet.caught exc=KeyError('q')
  1000 main         athrow.returned exc=StopAsyncIteration()
  1000 -            run.result value=None
  1000 -            gc label=end
  1000 -            run.closed
)");
}

// async def gen():
//     try: trace("gen.body"); yield 1
//     finally: trace("gen.finally")
// async def main():
//     g = gen()
//     try: await g.athrow(ValueError("early"))
//     except ValueError as e: trace("raised", exc=e)
//     try: await anext(g)
//     except StopAsyncIteration as e: trace("exhausted", exc=e)
//     trace("aclose", value=await g.aclose())
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
    expect_trace(&athrow_unstarted_main, R"(     0 -            run.start
     0 main         asyncgen.firstiter name=gen
     0 main         raised exc=ValueError('early')
     0 main         exhausted exc=StopAsyncIteration()
     0 main         aclose value=None
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// async def gen(): yield 1
// async def main():
//     g = gen(); trace("next", v=await anext(g)); trace("next", v=await anext(g, "dflt"))
//     trace("athrow.finished", value=await g.athrow(KeyError("late")))
//     h = gen(); trace("next", v=await anext(h))
//     try: await h.athrow(ValueError("v"))
//     except ValueError as e: trace("escaped", exc=e)
//     trace("athrow.after.escape", value=await h.athrow(KeyError("late")))
// (3.11.7 and 3.13.0 agree: athrow on a finished generator returns None, it does not raise.)
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
    expect_trace(&athrow_finished_main, R"(     0 -            run.start
     0 main         asyncgen.firstiter name=gen
     0 main         next v=1
     0 main         next v=dflt
     0 main         athrow.finished value=None
     0 main         asyncgen.firstiter name=gen
     0 main         next v=1
     0 main         escaped exc=ValueError('v')
     0 main         athrow.after.escape value=None
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// ---------------------------------------------------------------- aclose

// async def gen():
//     try:
//         yield 1; trace("gen.unreached"); yield 2
//     except GeneratorExit as e:
//         trace("gen.exit", exc=e); raise
//     finally:
//         trace("gen.finally"); await asyncio.sleep(1); trace("gen.finally.end")
// async def bad():
//     try: yield 1
//     finally:
//         trace("bad.finally"); await asyncio.sleep(0); raise ValueError("cleanup")
// async def main():
//     g = gen(); trace("next", v=await anext(g))
//     trace("closed", value=await g.aclose()); trace("closed.again", value=await g.aclose())
//     trace("anext", v=await anext(g, "dflt"))
//     b = bad(); trace("next", v=await anext(b))
//     try: await b.aclose()
//     except ValueError as e: trace("aclose.raised", exc=e)
//     trace("closed.again", value=await b.aclose())
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
    expect_trace(&aclose_main, R"(     0 -            run.start
     0 main         asyncgen.firstiter name=gen
     0 main         next v=1
     0 main         gen.exit exc=GeneratorExit()
     0 main         gen.finally
  1000 main         gen.finally.end
  1000 main         closed value=None
  1000 main         closed.again value=None
  1000 main         anext v=dflt
  1000 main         asyncgen.firstiter name=bad
  1000 main         next v=1
  1000 main         bad.finally
  1000 main         aclose.raised exc=ValueError('cleanup')
  1000 main         closed.again value=None
  1000 -            run.result value=None
  1000 -            gc label=end
  1000 -            run.closed
)");
}

// async def gen(tag):
//     try: trace("gen.body", tag=tag); yield 1
//     finally: trace("gen.finally", tag=tag)
// async def main():
//     g = gen("never"); trace("made")
//     trace("aclose", value=await g.aclose()); trace("anext", v=await anext(g, "dflt"))
//     h = gen("done")
//     async for v in h: trace("item", v=v)
//     trace("aclose", value=await h.aclose()); trace("aclose", value=await h.aclose())
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
    expect_trace(&aclose_noop_main, R"(     0 -            run.start
     0 main         made
     0 main         asyncgen.firstiter name=gen
     0 main         aclose value=None
     0 main         anext v=dflt
     0 main         asyncgen.firstiter name=gen
     0 main         gen.body tag=done
     0 main         item v=1
     0 main         gen.finally tag=done
     0 main         aclose value=None
     0 main         aclose value=None
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
}

// async def gen():
//     try: yield 1
//     except GeneratorExit as e: trace("gen.exit", exc=e)
//     await asyncio.sleep(0.5); trace("gen.yield.again"); yield 2; trace("gen.after")
// async def main():
//     g = gen(); trace("next", v=await anext(g))
//     try: await g.aclose()
//     except RuntimeError as e: trace("aclose", exc=e)
//     trace("anext", v=await anext(g, "dflt"))
//     trace("aclose.again", value=await g.aclose())
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
    expect_trace(&ignored_exit_main, R"(     0 -            run.start
     0 main         asyncgen.firstiter name=gen
     0 main         next v=1
     0 main         gen.exit exc=GeneratorExit()
   500 main         gen.yield.again
   500 main         aclose exc=RuntimeError('async generator ignored GeneratorExit')
   500 main         gen.after
   500 main         anext v=dflt
   500 main         aclose.again value=None
   500 -            run.result value=None
   500 -            gc label=end
   500 -            run.closed
)");
}

}  // namespace
}  // namespace corosim
