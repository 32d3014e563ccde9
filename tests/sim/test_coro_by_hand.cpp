// Driving a Coro by hand (SEMANTICS A2-A7) in the states the conformance program
// tests/conformance/programs/coro_by_hand.py cannot reach from Python's side: a chain of awaits
// under the driven frame, a coroutine owned by another task's await, re-entry, create_task.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"

namespace corosim {
namespace {

Coro<int> inner(Future<int> fut) {
    const int v = co_await fut;
    co_return v + 1;
}

Coro<int> outer(Future<int> fut) {
    const int v = co_await inner(fut);
    co_await sleep(0);
    co_return v * 10;
}

TEST(CoroByHand, SendHandsBackTheFutureANestedAwaitWaitsForThenTheValue) {
    auto log = std::make_shared<std::vector<std::string>>();
    const RunResult r = run([log]() -> Coro<void> {
        Future<int> fut;
        Coro<int> c = outer(fut);
        Sent<int> s = c.send();
        log->push_back(s.yielded == fut.state() && !s.done ? "future" : "other");
        fut.set_result(4);
        s = c.send();  // inner returns 5, outer reaches its bare yield
        log->push_back(s.yielded == nullptr && !s.done ? "bare" : "other");
        s = c.send();
        log->push_back(s.done ? std::to_string(*s.value) : "other");
        log->push_back(coroutine_state_name(c.state()));
        co_return;
    });
    ASSERT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_EQ(*log, (std::vector<std::string>{"future", "bare", "50", "CORO_CLOSED"}));
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
}

Coro<void> waits_long() { co_await sleep(seconds(1)); }

Coro<void> awaits_it(Coro<void>* c) { co_await *c; }

TEST(CoroByHand, ACoroutineAnotherTaskAwaitsIsNotTheCallersToDrive) {
    auto log = std::make_shared<std::vector<std::string>>();
    const RunResult r = run([log]() -> Coro<void> {
        Coro<void> c = waits_long();
        Task<void> t = create_task(awaits_it(&c));
        co_await sleep(0);  // t starts c
        try {
            (void)c.send();
        } catch (const RuntimeError& e) {
            log->push_back(e.repr());
        }
        c.close();  // not ours: nothing happens
        log->push_back(coroutine_state_name(c.state()));
        co_await t;
        log->push_back(coroutine_state_name(c.state()));
    });
    ASSERT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_EQ(*log, (std::vector<std::string>{"RuntimeError('coroutine is being awaited already')", "CORO_SUSPENDED",
                                              "CORO_CLOSED"}));
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
}

Coro<void> sends_itself(Coro<void>* self, std::shared_ptr<std::vector<std::string>> log) {
    try {
        (void)self->send();
    } catch (const ValueError& e) {
        log->push_back(e.repr());
    }
    co_return;
}

TEST(CoroByHand, SendingToTheRunningCoroutineRaisesValueError) {
    auto log = std::make_shared<std::vector<std::string>>();
    const RunResult r = run([log]() -> Coro<void> {
        Coro<void> c;
        c = sends_itself(&c, log);
        const Sent<void> s = c.send();
        log->push_back(s.done ? "done" : "suspended");
        co_return;
    });
    ASSERT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_EQ(*log, (std::vector<std::string>{"ValueError('coroutine already executing')", "done"}));
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
}

Coro<void> two_yields() {
    co_await sleep(0);
    co_await sleep(0);
}

TEST(CoroByHand, CreateTaskRefusesAStartedOrFinishedCoroutine) {
    auto log = std::make_shared<std::vector<std::string>>();
    const RunResult r = run([log]() -> Coro<void> {
        Coro<void> c = two_yields();
        (void)c.send();
        try {
            (void)create_task(std::move(c));  // c's frame is closed as the refused argument drops
        } catch (const RuntimeError& e) {
            log->push_back(e.repr());
        }
        Coro<void> d = two_yields();
        for (int i = 0; i < 3; ++i) (void)d.send();
        try {
            (void)create_task(std::move(d));
        } catch (const RuntimeError& e) {
            log->push_back(e.repr());
        }
        co_return;
    });
    ASSERT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_EQ(*log, (std::vector<std::string>{"RuntimeError('a started coroutine cannot become a task')",
                                              "RuntimeError('cannot reuse already awaited coroutine')"}));
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
}

Coro<void> drives_another(std::shared_ptr<std::vector<std::string>> log) {
    Coro<void> c = two_yields();
    (void)c.send();
    co_await sleep(0);  // the caller resumes this frame by hand; the inner one stays suspended
    (void)c.send();
    log->push_back(c.send().done ? "inner done" : "inner suspended");
}

TEST(CoroByHand, AHandDrivenCoroutineCanDriveAnother) {
    auto log = std::make_shared<std::vector<std::string>>();
    const RunResult r = run([log]() -> Coro<void> {
        Coro<void> c = drives_another(log);
        (void)c.send();
        log->push_back(c.send().done ? "outer done" : "outer suspended");
        co_return;
    });
    ASSERT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_EQ(*log, (std::vector<std::string>{"inner done", "outer done"}));
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
}

}  // namespace
}  // namespace corosim
