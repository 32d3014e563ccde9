// Unit tests for the rules of issue 4 that the conformance programs do not isolate. A test that
// compares a trace reads the golden of tests/sim/programs/structured_*.py (CPython 3.12.1).
#include <gtest/gtest.h>

#include "corosim/corosim.hpp"
#include "expect_trace.hpp"

namespace corosim {
namespace {

using testing::expect_golden;

TEST(ExceptionGroupRules, ExceptionGroupCannotWrapABaseException) {
    EXPECT_THROW(ExceptionGroup("m", {std::make_exception_ptr(CancelledError())}), TypeError);
    EXPECT_THROW(ExceptionGroup("m", {}), ValueError);
    const auto g = make_exception_group("m", {std::make_exception_ptr(ValueError("a"))});
    EXPECT_EQ(exception_repr(g), "ExceptionGroup('m', [ValueError('a')])");
    const auto b = make_exception_group("m", {std::make_exception_ptr(CancelledError())});
    EXPECT_EQ(exception_repr(b), "BaseExceptionGroup('m', [CancelledError()])");
    EXPECT_TRUE(is_exception(g));
    EXPECT_FALSE(is_exception(b));
}

TEST(ExceptionGroupRules, SplitCopiesMetadataButDeriveDoesNot) {
    auto g = make_exception_group("m", {std::make_exception_ptr(ValueError("a")), std::make_exception_ptr(TypeError("b"))});
    as_base(g)->cause = std::make_exception_ptr(KeyError("c"));
    auto [match, rest] = split(g, instance_of<ValueError>());
    EXPECT_EQ(exception_repr(match), "ExceptionGroup('m', [ValueError('a')])");
    EXPECT_EQ(exception_repr(rest), "ExceptionGroup('m', [TypeError('b')])");
    EXPECT_EQ(exception_repr(as_base(match)->cause), "KeyError('c')");
    EXPECT_FALSE(as_base(derive(g, {std::make_exception_ptr(ValueError("x"))}))->cause);
    auto [whole, none] = split(g, [](const std::exception_ptr& e) { return is_exception_group(e); });
    EXPECT_EQ(whole, g);
    EXPECT_FALSE(none);
}

TEST(ExceptStar, NakedUnmatchedExceptionPropagatesUnwrapped) {
    const auto naked = std::make_exception_ptr(KeyError("k"));
    try {
        except_star(naked, {on<ValueError>([](const std::exception_ptr&) {})});
        FAIL() << "nothing propagated";
    } catch (const KeyError& e) {
        EXPECT_EQ(e.repr(), "KeyError('k')");
    }
}

TEST(ExceptStar, NakedMatchedAndReraisedPropagatesWrapped) {
    const auto naked = std::make_exception_ptr(ValueError("v"));
    try {
        except_star(naked, {on<ValueError>([](const std::exception_ptr& g) { std::rethrow_exception(g); })});
        FAIL() << "nothing propagated";
    } catch (const ExceptionGroup& g) {
        EXPECT_EQ(g.repr(), "ExceptionGroup('', (ValueError('v'),))");  // a tuple, as CPython builds it
    }
}

TEST(ExceptStar, RaisedAndUnmatchedCombineIntoANewGroup) {
    const auto eg = make_exception_group("m", {std::make_exception_ptr(ValueError("a")), std::make_exception_ptr(TypeError("b"))});
    try {
        except_star(eg, {on<ValueError>([](const std::exception_ptr&) { throw RuntimeError("r"); })});
        FAIL();
    } catch (const ExceptionGroup& g) {
        EXPECT_EQ(g.repr(), "ExceptionGroup('', [RuntimeError('r'), ExceptionGroup('m', [TypeError('b')])])");
        EXPECT_EQ(chain_repr(g.exceptions()[0]), "RuntimeError('r') <-context- ExceptionGroup('m', [ValueError('a')])");
    }
}

Coro<void> cancel_counts() {
    Future<int> never;
    Task<void> t = create_task([](Future<int> f) -> Coro<void> { co_await f; }(never));
    co_await sleep(0);
    const bool first = t.cancel("m1");
    const bool second = t.cancel("m2");
    std::string got;
    try {
        co_await t;
    } catch (const CancelledError& e) {
        got = e.repr();
    }
    const bool after = t.cancel();
    const int u1 = t.uncancel();
    const int u2 = t.uncancel();
    const int u3 = t.uncancel();
    trace("counts", {{"first", first}, {"second", second}, {"got", got}, {"after", after}, {"u", std::vector<int>{u1, u2, u3}}});
}

TEST(TaskCancelRules, SecondCancelDeliversTheFirstMessageAndUncancelStopsAtZero) {
    expect_golden(&cancel_counts, "structured_cancel_counts");
}

Coro<void> reschedule_errors() {
    Timeout t = timeout(seconds(1));
    std::string before;
    try {
        t.reschedule(seconds(2));
    } catch (const RuntimeError& e) {
        before = e.repr();
    }
    const std::string shown = t.repr();
    trace("before", {{"err", before}, {"repr", shown}});
    co_return;
}

TEST(TimeoutRules, RescheduleBeforeEnteringRaises) {
    expect_golden(&reschedule_errors, "structured_reschedule_before_enter");
}

// C++ code can build a context chain with a cycle by hand (Python cuts cycles when it raises):
// 3.13's TimeoutError insertion walks the chain of an exception leaving an expired timeout and
// must stop at the cycle instead of looping for ever.
Coro<void> raise_after_deadline(Timeout&, std::exception_ptr a) {
    bool cancelled = false;
    try {
        co_await sleep(seconds(1));
    } catch (const CancelledError&) {
        cancelled = true;
    }
    if (cancelled) std::rethrow_exception(a);
}

Coro<void> cyclic_chain(std::shared_ptr<std::string> seen) {
    std::exception_ptr a = std::make_exception_ptr(ValueError("a"));
    std::exception_ptr b = std::make_exception_ptr(KeyError("b"));
    as_base(a)->context = b;
    as_base(b)->context = a;
    try {
        co_await async_with(timeout(millis(1)), &raise_after_deadline, a);
    } catch (const ValueError&) {
        *seen = exception_repr(as_base(std::current_exception())->context);
    }
    as_base(b)->context = nullptr;  // frees the pair
}

TEST(TimeoutRules, TimeoutErrorInsertionStopsAtACycleInTheContextChain) {
    LoopOptions o;
    o.compat = Compat::for_version(PythonVersion::k3_13);
    auto seen = std::make_shared<std::string>();
    const RunResult r = run([seen] { return cyclic_chain(seen); }, o);
    EXPECT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_EQ(*seen, "KeyError('b')");  // no CancelledError in the chain: nothing inserted
}

}  // namespace
}  // namespace corosim
