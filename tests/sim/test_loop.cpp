// The loop's iteration rules (SEMANTICS G1-G3). Expected timer orders come from CPython's heapq
// (SEMANTICS G2 and the script in the comment below), not from corosim.
#include <gtest/gtest.h>

#include <regex>

#include <string>
#include <vector>

#include "corosim/corosim.hpp"

namespace corosim {
namespace {

// Drives a bare Loop (no runner) and collects what callbacks log.
class LoopTest : public ::testing::Test {
protected:
    LoopTest() : previous_(Loop::set_current(&loop_)) {}
    ~LoopTest() override { Loop::set_current(previous_); }
    void drain() {
        while (!loop_.idle()) ASSERT_EQ(loop_.run_once(), LoopStatus::kStopped);
    }
    std::function<void()> log(std::string s) {
        return [this, s] { out_.push_back(s); };
    }
    std::vector<std::string> ints(std::initializer_list<int> v) {
        std::vector<std::string> r;
        for (int i : v) r.push_back(std::to_string(i));
        return r;
    }
    Loop loop_;
    Loop* previous_;
    std::vector<std::string> out_;
};

TEST_F(LoopTest, CallSoonRunsInFifoOrder) {
    for (int i = 0; i < 5; ++i) loop_.call_soon(log(std::to_string(i)));
    drain();
    EXPECT_EQ(out_, ints({0, 1, 2, 3, 4}));
}

std::vector<std::string> equal_timer_order(LoopTest* t, Loop& loop, int n) {
    (void)t;
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) loop.call_at(seconds(1), [&out, i] { out.push_back(std::to_string(i)); });
    while (!loop.idle()) loop.run_once();
    return out;
}

TEST_F(LoopTest, EqualTimersPopInHeapqOrderForThree) { EXPECT_EQ(equal_timer_order(this, loop_, 3), ints({0, 1, 2})); }
TEST_F(LoopTest, EqualTimersPopInHeapqOrderForFour) { EXPECT_EQ(equal_timer_order(this, loop_, 4), ints({0, 2, 1, 3})); }
TEST_F(LoopTest, EqualTimersPopInHeapqOrderForEight) {
    EXPECT_EQ(equal_timer_order(this, loop_, 8), ints({0, 2, 6, 5, 7, 4, 1, 3}));
}

TEST_F(LoopTest, CancelledTimerStaysInHeapAndShapesTieOrder) {
    // heapq with timer 1 kept (cancelled) gives 0,2,6,5,7,4,3; removing it instead would give
    // 0,3,6,7,5,2,4 (python3: heappush 8 equal items, mark one cancelled, pop all).
    std::vector<Handle> handles;
    for (int i = 0; i < 8; ++i) handles.push_back(loop_.call_at(seconds(1), log(std::to_string(i))));
    handles[1].cancel();
    EXPECT_TRUE(handles[1].cancelled());
    drain();
    EXPECT_EQ(out_, ints({0, 2, 6, 5, 7, 4, 3}));
}

TEST_F(LoopTest, ManyCancelledTimersTriggerCpythonsRebuild) {
    // 120 equal timers, 61 cancelled (> half of > 100): _run_once rebuilds and heapifies.
    // Expected order from CPython's heapq (list comprehension without cancelled, heapify, pop).
    std::vector<Handle> handles;
    for (int i = 0; i < 120; ++i) handles.push_back(loop_.call_at(seconds(1), log(std::to_string(i))));
    for (int i = 0; i < 120; i += 2) handles[static_cast<std::size_t>(i)].cancel();
    handles[1].cancel();
    drain();
    const std::vector<std::string> expected = ints(
        {63, 31, 15, 7,  3,  29, 117, 57, 113, 13, 109, 53, 105, 25, 101, 49, 97, 5,  93, 45,
         89, 21, 85, 41, 81, 9,  77,  37, 73,  17, 69,  33, 61,  65, 59,  115, 27, 107, 51, 99,
         11, 91, 43, 83, 19, 75, 35,  119, 67, 55, 103, 23, 87, 39, 111, 71, 47, 95, 79});
    EXPECT_EQ(out_, expected);
}

TEST_F(LoopTest, CallbackScheduledDuringIterationRunsInNextIteration) {
    loop_.call_soon([this] {
        out_.push_back("a");
        loop_.call_soon(log("a2"));
    });
    loop_.call_soon(log("b"));
    ASSERT_EQ(loop_.run_once(), LoopStatus::kStopped);
    EXPECT_EQ(out_, (std::vector<std::string>{"a", "b"}));
    ASSERT_EQ(loop_.run_once(), LoopStatus::kStopped);
    EXPECT_EQ(out_, (std::vector<std::string>{"a", "b", "a2"}));
}

TEST_F(LoopTest, CallLaterZeroRunsAfterAlreadyReadyCallbacks) {
    loop_.call_later(0, log("later0"));
    loop_.call_soon(log("a"));
    loop_.call_soon(log("b"));
    ASSERT_EQ(loop_.run_once(), LoopStatus::kStopped);
    EXPECT_EQ(out_, (std::vector<std::string>{"a", "b", "later0"}));
}

TEST_F(LoopTest, VirtualTimeJumpsToTheNextTimerOnlyWhenNothingIsReady) {
    loop_.call_later(seconds(5), [this] { out_.push_back(std::to_string(loop_.time())); });
    loop_.call_soon([this] { out_.push_back(std::to_string(loop_.time())); });
    drain();
    EXPECT_EQ(out_, (std::vector<std::string>{"0", std::to_string(seconds(5))}));
}

TEST_F(LoopTest, CancelledCallSoonHandleIsSkipped) {
    loop_.call_soon(log("a"));
    Handle h = loop_.call_soon(log("b"));
    loop_.call_soon(log("c"));
    h.cancel();
    drain();
    EXPECT_EQ(out_, (std::vector<std::string>{"a", "c"}));
}

TEST_F(LoopTest, NothingReadyAndNoTimerIsADeadlock) { EXPECT_EQ(loop_.run_once(), LoopStatus::kDeadlock); }

// Where each frame awaits, as messages show it (`name (file:line)`).
std::string at(const char* fn, int line) { return std::string(fn) + " (test_loop.cpp:" + std::to_string(line) + ")"; }

constexpr int kNeverLine = __LINE__ + 4;
constexpr int kNeverMadeLine = __LINE__ + 2;
Coro<void> wait_forever() {
    Future<int> never;
    co_await never;
}

constexpr int kMainWaitsLine = __LINE__ + 3;
Coro<void> main_waits_on_a_never_finishing_task() {
    Task<void> t = create_task(wait_forever());
    co_await t;
}

TEST(Run, DeadlockIsDetectedAndReportsWhatTasksWaitOn) {
    const RunResult r = run([] { return main_waits_on_a_never_finishing_task(); });
    EXPECT_EQ(r.outcome, Outcome::kDeadlock);
    EXPECT_EQ(r.message, "deadlock: main in " + at("main_waits_on_a_never_finishing_task", kMainWaitsLine) +
                             " waits on task Task-1; Task-1 in " + at("wait_forever", kNeverLine) +
                             " waits on a future created at test_loop.cpp:" + std::to_string(kNeverMadeLine));
    EXPECT_NE(r.trace.render_all(false).find("     0 -            deadlock\n"), std::string::npos);
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
}

constexpr int kTakesLine = __LINE__ + 1;
Coro<void> takes_the_lock(Lock lock) { co_await lock.acquire(); }

constexpr int kCheckFailsLine = __LINE__ + 6;
Coro<void> check_fails_then_deadlocks() {
    Lock lock;
    co_await lock.acquire();
    check(false, "the lock is free before the worker starts");
    Task<void> t = create_task(takes_the_lock(lock));
    co_await t;
}

TEST(Run, AFailedCheckStaysTheHeadlineOfALaterDeadlock) {
    const RunResult r = run([] { return check_fails_then_deadlocks(); });
    EXPECT_EQ(r.outcome, Outcome::kFail);
    const std::string prefix = "check failed: the lock is free before the worker starts; later: deadlock: main in " +
                               at("check_fails_then_deadlocks", kCheckFailsLine) + " waits on task Task-1; Task-1 in " +
                               at("takes_the_lock", kTakesLine) + " > acquire (sync.cpp:";
    EXPECT_EQ(r.message.rfind(prefix, 0), 0u) << r.message;
    EXPECT_TRUE(r.message.ends_with(") waits on a lock (Lock/Semaphore/Condition acquire)")) << r.message;
}

constexpr int kItemLine = __LINE__ + 1;
Coro<void> waits_for_an_item(Queue<std::int64_t> q) { co_await q.get(); }

constexpr int kNeverFedLine = __LINE__ + 5;
Coro<void> consumer_never_fed() {
    Queue<std::int64_t> q;
    sync::Event never;
    Task<void> t = create_task(waits_for_an_item(q));
    co_await never.wait();
}

TEST(Run, ADeadlockNamesTheObjectEachTaskWaitsOn) {
    const RunResult r = run([] { return consumer_never_fed(); });
    EXPECT_EQ(r.outcome, Outcome::kDeadlock);
    // The innermost frames are corosim's own (sync.cpp, queue.hpp): their lines are not pinned.
    const std::string m = std::regex_replace(r.message, std::regex(R"(\((sync\.cpp|queue\.hpp):[0-9]+\))"), "($1:N)");
    EXPECT_EQ(m, "deadlock: main in " + at("consumer_never_fed", kNeverFedLine) +
                     " > wait (sync.cpp:N) waits on an Event/Condition wait; Task-1 in " +
                     at("waits_for_an_item", kItemLine) + " > get (queue.hpp:N) waits on a Queue getter");
}

Coro<void> check_fails_then_raises() {
    check(false, "first");
    throw ValueError("second");
    co_return;
}

TEST(Run, AFailedCheckStaysTheHeadlineOfALaterException) {
    const RunResult r = run([] { return check_fails_then_raises(); });
    EXPECT_EQ(r.outcome, Outcome::kFail);
    EXPECT_EQ(r.message.rfind("check failed: first; later: exception escaped main: ValueError", 0), 0u) << r.message;
}

Coro<void> spin() {
    for (;;) co_await sleep(0);
}

TEST(Run, BusyLoopIsALivelockWithinTheStepBudget) {
    LoopOptions o;
    o.max_steps = 1000;
    const RunResult r = run([] { return spin(); }, o);
    EXPECT_EQ(r.outcome, Outcome::kLivelock);
    EXPECT_LE(r.steps, 1001u);
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
}

}  // namespace
}  // namespace corosim
