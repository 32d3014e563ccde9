// Objects kept past the run that made them (ASan finds any use of the freed loop), and deep
// suspended await chains torn down without running (the stack must stay flat: the sanitizer
// job runs these too, with ASan's larger frames).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"

namespace corosim {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

TEST(Lifetime, HandlesKeptPastTheRunAreInertAndSafeToUseAndDrop) {
    auto kept = std::make_shared<std::vector<Handle>>();
    const RunResult r = run([kept]() -> Coro<void> {
        Loop& loop = running_loop();
        kept->push_back(loop.call_soon([] {}));
        kept->push_back(loop.call_later(seconds(100), [] {}));  // still in the heap at the end
        kept->push_back(loop.call_at(seconds(50), [] {}));
        kept->back().cancel();
        EXPECT_TRUE(kept->back().cancelled());
        co_await sleep(0);
    });
    ASSERT_EQ(r.outcome, Outcome::kPass) << r.message;
    std::vector<Handle> copies = *kept;  // copying a dead loop's handle is fine too
    for (Handle& h : *kept) {
        EXPECT_FALSE(h.cancelled());  // purged with the loop, like a callback that ran
        h.cancel();
        EXPECT_FALSE(h.cancelled());
    }
    kept->clear();
    for (const Handle& h : copies) EXPECT_FALSE(h.cancelled());
}

AsyncGen<int> numbers() {
    for (int i = 0;; ++i) co_yield i;
}

// A livelock skips shutdown_asyncgens, so the generator is still registered when the loop goes.
TEST(Lifetime, AnAsyncGeneratorKeptPastALivelockedRunIsDroppedSafely) {
    auto kept = std::make_shared<std::optional<AsyncGen<int>>>();
    LoopOptions options;
    options.max_steps = 100;
    const RunResult r = run(
        [kept]() -> Coro<void> {
            kept->emplace(numbers());
            (void)co_await (*kept)->anext();
            for (;;) co_await sleep(0);
        },
        options);
    ASSERT_EQ(r.outcome, Outcome::kLivelock) << r.message;
    kept->reset();
}

// A primitive bound to a finished run's loop refuses a later run's loop, even one allocated where
// the first lived (loops used to be told apart by address).
TEST(Lifetime, APrimitiveKeptPastItsRunStaysBoundToThatRun) {
    auto lock = std::make_shared<Lock>();
    auto contend = [lock]() -> Coro<void> {
        Task<void> holder = create_task([](std::shared_ptr<Lock> l) -> Coro<void> {
            co_await l->acquire();
            co_await sleep(0);
            l->release();
        }(lock));
        co_await sleep(0);
        co_await lock->acquire();  // blocks: binds the lock to this loop
        lock->release();
        co_await holder;
    };
    const RunResult first = run(contend);
    ASSERT_EQ(first.outcome, Outcome::kPass) << first.message;
    const RunResult second = run(contend);
    EXPECT_EQ(second.outcome, Outcome::kError);
    EXPECT_NE(second.message.find("is bound to a different event loop"), std::string::npos) << second.message;
}

Coro<int> wait_on(Future<int> fut) { co_return co_await fut; }

Coro<int> by_hand_outer(Future<int> fut) {
    const int v = co_await wait_on(fut);
    co_return v;
}

TEST(Lifetime, AHandDrivenCoroKeptPastItsRunRefusesToRunAndDropsSafely) {
    auto kept = std::make_shared<std::optional<Coro<int>>>();
    const RunResult r = run([kept]() -> Coro<void> {
        Future<int> fut;
        kept->emplace(by_hand_outer(fut));
        (void)(*kept)->send();  // suspended at `await fut`
        co_return;
    });
    // The run counts the two frames it made and did not destroy.
    EXPECT_EQ(r.message, "frames leaked: 2");
    EXPECT_EQ((*kept)->state(), detail::CoroState::kSuspended);
    EXPECT_THROW((void)(*kept)->send(), RuntimeError);
    EXPECT_THROW((*kept)->close(), RuntimeError);
    kept->reset();  // its frames are destroyed without running (no loop to run them in)
}

TEST(Lifetime, TasksAndFuturesKeptPastTheRunAreStillReadable) {
    auto task = std::make_shared<std::optional<Task<int>>>();
    auto fut = std::make_shared<std::optional<Future<int>>>();
    const RunResult r = run([task, fut]() -> Coro<void> {
        fut->emplace();
        task->emplace(create_task(wait_on(**fut)));
        co_await sleep(0);
    });
    ASSERT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_TRUE((*task)->done());
    EXPECT_TRUE((*task)->cancelled());
    EXPECT_TRUE((*fut)->cancelled());  // the task's cancellation at teardown reached it
    task->reset();
    fut->reset();
}

// ---- deep suspended chains, destroyed without running ----

Coro<int> suspended_chain(int n, Future<int> never) {
    if (n == 0) co_return co_await never;
    co_return co_await suspended_chain(n - 1, never);
}

// Waits forever: each cancellation cancels the future it waits on, so it waits on a new one.
Coro<void> never_settle(Future<int> first) {
    Future<int> waiting = std::move(first);
    for (;;) {
        try {
            co_await waiting;
        } catch (const CancelledError&) {
            waiting = Future<int>();
        }
    }
}

// The leaf refuses cancellation and waits again, so the chain is still suspended when the run
// ends and teardown destroys it from its top frame.
Coro<int> stubborn_chain(int n, Future<int> never) {
    if (n > 0) co_return co_await stubborn_chain(n - 1, never);
    co_await never_settle(std::move(never));
    co_return 0;
}

void expect_deep_teardown(int depth, bool stubborn) {
    const RunResult r = run([depth, stubborn]() -> Coro<void> {
        Future<int> never;
        Task<int> t = create_task(stubborn ? stubborn_chain(depth, never) : suspended_chain(depth, never));
        co_await sleep(0);
    });
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
    EXPECT_GT(r.frames_created, static_cast<std::uint64_t>(depth));
    if (stubborn) {
        EXPECT_EQ(r.outcome, Outcome::kDeadlock) << r.message;
    }
}

TEST(Lifetime, AHundredThousandDeepSuspendedChainIsTornDownWithAFlatStack) { expect_deep_teardown(100'000, true); }

// A minute under ASan, which the 100,000-level tests cover.
TEST(Lifetime, AMillionDeepSuspendedChainIsTornDownWithAFlatStack) {
    if (kSanitized) GTEST_SKIP() << "covered by the 100,000-level tests under sanitizers";
    expect_deep_teardown(1'000'000, true);
}

TEST(Lifetime, ADeepChainCancelledAtTheEndOfTheRunUnwindsFlat) { expect_deep_teardown(100'000, false); }

// The livelock path skips the shutdown's cancellation: teardown destroys the chain as it is.
TEST(Lifetime, ADeepChainLeftByALivelockIsTornDownWithAFlatStack) {
    LoopOptions options;
    options.max_steps = 1000;
    const RunResult r = run(
        []() -> Coro<void> {
            Future<int> never;
            Task<int> t = create_task(suspended_chain(100'000, never));
            for (;;) co_await sleep(0);
        },
        options);
    EXPECT_EQ(r.outcome, Outcome::kLivelock);
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
}

// Cancelled mid-chain: a frame halfway down catches the CancelledError and waits forever on a
// second future; the frames below it finished, the ones above stay suspended, then are torn down.
Coro<int> catch_midway(int n, int at, Future<int> never, Future<int> again) {
    if (n == 0) co_return co_await never;
    if (n == at) {
        bool cancelled = false;
        try {
            co_return co_await catch_midway(n - 1, at, never, again);
        } catch (const CancelledError&) {
            cancelled = true;
        }
        if (cancelled) co_await never_settle(std::move(again));
        co_return 0;
    }
    co_return co_await catch_midway(n - 1, at, never, again);
}

TEST(Lifetime, ADeepChainCancelledMidChainIsTornDownWithAFlatStack) {
    const RunResult r = run([]() -> Coro<void> {
        Future<int> never;
        Future<int> again;
        Task<int> t = create_task(catch_midway(200'000, 100'000, never, again));
        co_await sleep(0);
        t.cancel();
        co_await sleep(0);
        co_await sleep(0);
    });
    EXPECT_EQ(r.outcome, Outcome::kDeadlock) << r.message;
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
}

}  // namespace
}  // namespace corosim
