// asyncio synchronisation primitives and Queue (sim/include/corosim/sync.hpp, queue.hpp). Each
// scenario is the C++ twin of a program in tests/sim/programs (sync_*.py); the expected text is
// that program's golden, its trace by CPython 3.12 on the conformance reference loop.
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

// ---------------------------------------------------------------- Event

Coro<void> ev_waiter(sync::Event ev, std::int64_t i) {
    trace("wait", {{"i", i}});
    const bool r = co_await ev.wait();
    trace("woke", {{"i", i}, {"r", r}});
}

Coro<void> event_order() {
    sync::Event ev;
    std::vector<Task<void>> ts;
    for (std::int64_t i = 0; i < 3; ++i) ts.push_back(create_task(ev_waiter(ev, i)));
    co_await sleep(0);
    trace("set", {{"was", ev.is_set()}, {"ev", ev.repr()}});
    ev.set();
    const bool r = co_await ev.wait();
    trace("fast", {{"r", r}});
    for (auto& t : ts) co_await t;
    ev.clear();
    trace("cleared", {{"set", ev.is_set()}});
}

TEST(EventRules, WaitersWakeInOrderAndASetEventDoesNotBlock) {
    expect_golden(&event_order, "sync_event_order");
}

// ---------------------------------------------------------------- Lock

Coro<void> lock_worker(Lock lock, std::int64_t i) {
    trace("want", {{"i", i}});
    co_await lock.acquire();
    trace("got", {{"i", i}});
    co_await sleep(0);
    lock.release();
    trace("released", {{"i", i}});
}

Coro<void> lock_fifo() {
    Lock lock;
    co_await lock.acquire();
    std::vector<Task<void>> ts;
    for (std::int64_t i = 0; i < 3; ++i) ts.push_back(create_task(lock_worker(lock, i)));
    co_await sleep(0);
    trace("release", {{"lock", lock.repr()}});
    lock.release();
    for (auto& t : ts) co_await t;
    trace("end", {{"locked", lock.locked()}});
    try {
        lock.release();
    } catch (const RuntimeError& e) {
        trace("error", {{"e", e}});
    }
}

TEST(LockRules, WaitersAcquireInFifoOrderAndReleasingAnUnlockedLockRaises) {
    expect_golden(&lock_fifo, "sync_lock_fifo");
}

Coro<void> lock_cancel_worker(Lock lock, std::int64_t i) {
    try {
        co_await lock.acquire();
    } catch (const CancelledError&) {
        trace("cancelled", {{"i", i}, {"locked", lock.locked()}});
        throw;
    }
    trace("got", {{"i", i}});
    co_await sleep(0);
    lock.release();
    trace("released", {{"i", i}});
}

/// Awaits each task, tracing `task_cancelled` or (when `done_lines`) `done`.
Coro<void> await_all(std::vector<Task<void>> ts, bool done_lines) {
    for (std::size_t i = 0; i < ts.size(); ++i) {
        bool cancelled = false;
        try {
            co_await ts[i];
        } catch (const CancelledError&) {
            cancelled = true;
        }
        if (cancelled) {
            trace("task_cancelled", {{"i", static_cast<std::int64_t>(i)}});
        } else if (done_lines) {
            trace("done", {{"i", static_cast<std::int64_t>(i)}});
        }
    }
}

Coro<void> lock_cancel() {
    Lock lock;
    co_await lock.acquire();
    std::vector<Task<void>> ts;
    for (std::int64_t i = 0; i < 4; ++i) ts.push_back(create_task(lock_cancel_worker(lock, i)));
    co_await sleep(0);
    lock.release();     // wakes 0
    ts[0].cancel();     // woken, then cancelled before it runs: wakes 1 instead
    ts[2].cancel();     // cancelled while waiting
    trace("after", {{"locked", lock.locked()}, {"lock", lock.repr()}});
    co_await await_all(ts, true);
    trace("end", {{"lock", lock.repr()}});
}

TEST(LockRules, CancelledWaiterDoesNotStealTheLockAndPassesTheWakeupOn) {
    expect_golden(&lock_cancel, "sync_lock_cancel");
}

Coro<void> lock_fast_path() {
    Lock lock;
    co_await lock.acquire();
    Task<void> a = create_task(lock_cancel_worker(lock, 0));
    co_await sleep(0);
    a.cancel();
    lock.release();
    co_await lock.acquire();  // the only waiter is cancelled: taken at once
    trace("reacquired", {{"lock", lock.repr()}});
    std::vector<Task<void>> only{a};
    co_await await_all(only, false);
    lock.release();
    trace("end", {{"lock", lock.repr()}});
}

TEST(LockRules, AcquireDoesNotQueueBehindOnlyCancelledWaiters) {
    expect_golden(&lock_fast_path, "sync_lock_fast_path");
}

Coro<void> lock_deadlock() {
    Lock lock;
    Queue<std::int64_t> q;
    Task<std::int64_t> t = create_task(q.get());
    co_await lock.acquire();
    trace("again", {{"lock", lock.repr()}});
    co_await lock.acquire();
}

TEST(LockRules, WaitersBlockedAtADeadlockAreCancelledAtShutdown) {
    expect_golden(&lock_deadlock, "sync_lock_deadlock", Outcome::kDeadlock);
}

Coro<void> held(Lock lock, std::int64_t i) {
    trace("in", {{"i", i}, {"locked", lock.locked()}});
    co_await sleep(0);
}

Coro<void> with_body(Lock lock, std::int64_t i) { co_await async_with(lock, &held, i); }

Coro<void> lock_async_with() {
    Lock lock;
    std::vector<Task<void>> ts;
    for (std::int64_t i = 0; i < 2; ++i) ts.push_back(create_task(with_body(lock, i)));
    co_await with_body(lock, 9);
    for (auto& t : ts) co_await t;
    trace("end", {{"locked", lock.locked()}});
}

TEST(LockRules, AsyncWithAcquiresAndReleases) {
    expect_golden(&lock_async_with, "sync_lock_async_with");
}

// ---------------------------------------------------------------- Semaphore

Coro<void> sem_body(Semaphore sem, std::int64_t i, std::shared_ptr<int> n) {
    *n += 1;
    check(*n <= 2 && sem.value() <= 2 - *n, "at most two holders; units woken waiters hold are taken");
    trace("enter", {{"i", i}, {"n", *n}});
    co_await sleep(millis(3 - i % 3));
    *n -= 1;
    trace("exit", {{"i", i}});
}

Coro<void> sem_worker(Semaphore sem, std::int64_t i, std::shared_ptr<int> n) {
    co_await async_with(sem, &sem_body, i, n);
}

Coro<void> sem_order() {
    Semaphore sem(2);
    auto n = std::make_shared<int>(0);
    std::vector<Task<void>> ts;
    for (std::int64_t i = 0; i < 6; ++i) ts.push_back(create_task(sem_worker(sem, i, n)));
    co_await sleep(0);
    trace("sem", {{"sem", sem.repr()}, {"locked", sem.locked()}});
    for (auto& t : ts) co_await t;
    trace("end", {{"sem", sem.repr()}});
}

TEST(SemaphoreRules, AtMostValueHoldersAndWaitersEnterInFifoOrder) {
    expect_golden(&sem_order, "sync_sem_order");
}

Coro<void> sem_cancel_worker(Semaphore sem, std::int64_t i) {
    try {
        co_await sem.acquire();
    } catch (const CancelledError&) {
        trace("cancelled", {{"i", i}, {"value", sem.value()}});
        throw;
    }
    trace("got", {{"i", i}, {"value", sem.value()}});
}

Coro<void> sem_cancel() {
    Semaphore sem(1);
    co_await sem.acquire();
    std::vector<Task<void>> ts;
    for (std::int64_t i = 0; i < 4; ++i) ts.push_back(create_task(sem_cancel_worker(sem, i)));
    co_await sleep(0);
    sem.release();   // wakes 0 (the unit is taken for it)
    ts[0].cancel();  // woken then cancelled: hands the unit to 1
    ts[2].cancel();  // cancelled while waiting
    trace("after", {{"sem", sem.repr()}});
    std::vector<Task<void>> first3{ts[0], ts[1], ts[2]};
    co_await await_all(first3, false);
    trace("mid", {{"sem", sem.repr()}});
    sem.release();
    co_await ts[3];
    trace("end", {{"sem", sem.repr()}});
}

TEST(SemaphoreRules, WokenThenCancelledWaiterHandsItsUnitToTheNext) {
    expect_golden(&sem_cancel, "sync_sem_cancel");
}

Coro<void> bounded() {
    BoundedSemaphore b(1);
    co_await b.acquire();
    b.release();
    try {
        b.release();
    } catch (const ValueError& e) {
        trace("error", {{"e", e}, {"sem", b.repr()}});
    }
    try {
        Semaphore bad(-1);
    } catch (const ValueError& e) {
        trace("error", {{"e", e}});
    }
}

TEST(SemaphoreRules, BoundedSemaphoreOverReleaseAndNegativeValueRaise) {
    expect_golden(&bounded, "sync_bounded");
}

// ---------------------------------------------------------------- Condition

Coro<void> cond_wait_body(Condition cond, std::int64_t i) {
    trace("wait", {{"i", i}});
    const bool r = co_await cond.wait();
    trace("woke", {{"i", i}, {"r", r}, {"locked", cond.locked()}});
}

Coro<void> cond_waiter(Condition cond, std::int64_t i) { co_await async_with(cond, &cond_wait_body, i); }

Coro<void> notify_body(Condition cond, int n, std::string label, bool show) {
    if (n < 0) {
        cond.notify_all();
    } else {
        cond.notify(n);
    }
    if (show) {
        trace("notified", {{"n", std::stoll(label)}, {"cond", cond.repr()}});
    } else if (n < 0) {
        trace("notified", {{"n", label}});
    } else {
        trace("notified", {{"n", std::stoll(label)}});
    }
    co_return;
}

Coro<void> cond_notify() {
    Condition cond;
    std::vector<Task<void>> ts;
    for (std::int64_t i = 0; i < 5; ++i) ts.push_back(create_task(cond_waiter(cond, i)));
    co_await sleep(0);
    co_await async_with(cond, &notify_body, 1, std::string("1"), true);
    co_await sleep(0);
    co_await async_with(cond, &notify_body, 2, std::string("2"), false);
    co_await sleep(0);
    co_await async_with(cond, &notify_body, -1, std::string("all"), false);
    for (auto& t : ts) co_await t;
    try {
        cond.notify();
    } catch (const RuntimeError& e) {
        trace("error", {{"e", e}});
    }
    std::exception_ptr err;
    try {
        co_await cond.wait();
    } catch (const RuntimeError&) {
        err = std::current_exception();
    }
    trace("error", {{"e", err}});
}

TEST(ConditionRules, NotifyOneThenTwoThenAllWakeWaitersInOrderAndNeedTheLock) {
    expect_golden(&cond_notify, "sync_cond_notify");
}

Coro<void> consumer_body(Condition cond, std::int64_t i, std::shared_ptr<std::int64_t> box) {
    auto ready = [box, i] { return *box >= i; };
    Coro<bool> w = cond.wait_for(ready);
    const bool v = co_await std::move(w);
    trace("ready", {{"i", i}, {"n", *box}, {"v", v}});
}

Coro<void> cond_consumer(Condition cond, std::int64_t i, std::shared_ptr<std::int64_t> box) {
    co_await async_with(cond, &consumer_body, i, box);
}

Coro<void> bump_body(Condition cond, std::shared_ptr<std::int64_t> box) {
    *box += 1;
    trace("bump", {{"n", *box}});
    cond.notify_all();
    co_return;
}

Coro<void> cond_wait_for() {
    Condition cond;
    auto box = std::make_shared<std::int64_t>(0);
    std::vector<Task<void>> ts;
    for (const std::int64_t i : {2, 1, 3, 0}) ts.push_back(create_task(cond_consumer(cond, i, box)));
    for (int k = 0; k < 3; ++k) {
        co_await sleep(0);
        co_await async_with(cond, &bump_body, box);
    }
    for (auto& t : ts) co_await t;
}

TEST(ConditionRules, WaitForReturnsOnceThePredicateHolds) {
    expect_golden(&cond_wait_for, "sync_cond_wait_for");
}

Coro<void> cond_cancel_waiter(Condition cond) {
    co_await cond.acquire();
    try {
        co_await cond.wait();
    } catch (const CancelledError&) {
        trace("cancelled", {{"locked", cond.locked()}, {"e", chain(std::current_exception())}});
        cond.release();
        throw;
    }
}

Coro<void> await_cancelled(Task<void> t, Lock lock) {
    try {
        co_await t;
    } catch (const CancelledError&) {
        trace("task_cancelled", {{"e", chain(std::current_exception())}, {"locked", lock.locked()}});
    }
}

Coro<void> cond_cancel() {
    Lock lock;
    Condition cond(lock);
    Task<void> t = create_task(cond_cancel_waiter(cond));
    co_await sleep(0);
    co_await lock.acquire();
    t.cancel("stop");
    co_await sleep(0);
    trace("holding", {{"cond", cond.repr()}});
    co_await sleep(0);
    lock.release();
    co_await await_cancelled(t, lock);
}

TEST(ConditionRules, CancelledWaitReacquiresTheLockBeforeRaising) {
    expect_golden(&cond_cancel, "sync_cond_cancel");
}

Coro<void> cond_cancel_reacquire() {
    Lock lock;
    Condition cond(lock);
    Task<void> t = create_task(cond_cancel_waiter(cond));
    co_await sleep(0);
    co_await lock.acquire();
    cond.notify();
    co_await sleep(0);  // t wakes from wait() and blocks re-acquiring
    t.cancel("during-reacquire");
    co_await sleep(0);
    trace("holding", {{"cond", cond.repr()}, {"lock", lock.repr()}});
    lock.release();
    co_await await_cancelled(t, lock);
}

TEST(ConditionRules, CancelWhileReacquiringRaisesAFreshCancelledErrorOnceReacquired) {
    expect_golden(&cond_cancel_reacquire, "sync_cond_cancel_reacquire");
}

Coro<void> cond_cancel_twice() {
    Lock lock;
    Condition cond(lock);
    Task<void> t = create_task(cond_cancel_waiter(cond));
    co_await sleep(0);
    co_await lock.acquire();
    t.cancel("one");
    co_await sleep(0);  // t leaves wait()'s future and blocks re-acquiring
    t.cancel("two");
    co_await sleep(0);
    lock.release();
    co_await await_cancelled(t, lock);
}

TEST(ConditionRules, CancelledTwiceRaisesAFreshCancelledErrorChainedToTheFirst) {
    expect_golden(&cond_cancel_twice, "sync_cond_cancel_twice");
}

// ---------------------------------------------------------------- Queue

Coro<void> producer(Queue<std::int64_t> q, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
        co_await q.put(i);
        trace("put", {{"i", i}, {"size", q.qsize()}, {"full", q.full()}});
    }
}

Coro<void> consumer(Queue<std::int64_t> q, std::int64_t n) {
    for (std::int64_t k = 0; k < n; ++k) {
        const std::int64_t v = co_await q.get();
        trace("got", {{"v", v}, {"q", q.repr()}});
        co_await sleep(0);
        q.task_done();
    }
}

Coro<void> queue_put_blocking() {
    Queue<std::int64_t> q(2);
    Task<void> p = create_task(producer(q, 5));
    co_await sleep(0);
    trace("state", {{"q", q.repr()}});
    Task<void> c = create_task(consumer(q, 5));
    co_await p;
    trace("produced", {{"q", q.repr()}});
    co_await q.join();
    trace("joined", {{"q", q.repr()}});
    co_await c;
}

TEST(QueueRules, PutBlocksWhileFullAndJoinWaitsForTaskDone) {
    expect_golden(&queue_put_blocking, "sync_queue_put_blocking");
}

Coro<void> getter(Queue<std::string> q, std::int64_t i) {
    const std::string v = co_await q.get();
    trace("got", {{"i", i}, {"v", v}});
}

Coro<void> queue_get_order() {
    Queue<std::string> q;
    std::vector<Task<void>> ts;
    for (std::int64_t i = 0; i < 3; ++i) ts.push_back(create_task(getter(q, i)));
    co_await sleep(0);
    trace("state", {{"q", q.repr()}});
    for (const char* v : {"a", "b", "c"}) q.put_nowait(v);
    trace("state", {{"q", q.repr()}});
    for (auto& t : ts) co_await t;
}

TEST(QueueRules, WaitingGettersReceiveItemsInOrder) {
    expect_golden(&queue_get_order, "sync_queue_get_order");
}

Coro<void> queue_nowait() {
    Queue<std::int64_t> q(1);
    try {
        (void)q.get_nowait();
    } catch (const QueueEmpty& e) {
        trace("error", {{"e", e}});
    }
    q.put_nowait(1);
    try {
        q.put_nowait(2);
    } catch (const QueueFull& e) {
        trace("error", {{"e", e}});
    }
    trace("state", {{"size", q.qsize()}, {"full", q.full()}, {"empty", q.empty()}, {"q", q.repr()}});
    const std::int64_t v = q.get_nowait();
    q.task_done();
    try {
        q.task_done();
    } catch (const ValueError& e) {
        trace("error", {{"e", e}, {"v", v}});
    }
    co_await q.join();
    trace("joined");
}

TEST(QueueRules, NowaitErrorsAndTaskDoneCalledTooManyTimes) {
    expect_golden(&queue_nowait, "sync_queue_nowait");
}

Coro<void> joiner(Queue<std::int64_t> q, std::int64_t i) {
    co_await q.join();
    trace("joined", {{"i", i}});
}

Coro<void> queue_join() {
    Queue<std::int64_t> q;
    for (std::int64_t v = 0; v < 3; ++v) q.put_nowait(v);
    std::vector<Task<void>> js;
    for (std::int64_t i = 0; i < 2; ++i) js.push_back(create_task(joiner(q, i)));
    for (int k = 0; k < 3; ++k) {
        co_await sleep(0);
        const std::int64_t v = q.get_nowait();
        q.task_done();
        trace("done", {{"v", v}, {"q", q.repr()}});
    }
    for (auto& j : js) co_await j;
}

TEST(QueueRules, JoinWakesEveryJoinerWhenTheLastTaskIsDone) {
    expect_golden(&queue_join, "sync_queue_join");
}

Coro<void> cancel_getter(Queue<std::string> q, std::int64_t i) {
    std::string v;
    try {
        v = co_await q.get();
    } catch (const CancelledError&) {
        trace("cancelled", {{"i", i}, {"q", q.repr()}});
        throw;
    }
    trace("got", {{"i", i}, {"v", v}});
}

Coro<void> cancel_putter(Queue<std::int64_t> q, std::int64_t i) {
    try {
        co_await q.put(i);
    } catch (const CancelledError&) {
        trace("cancelled", {{"i", i}, {"q", q.repr()}});
        throw;
    }
    trace("put", {{"i", i}});
}

Coro<void> queue_cancel() {
    Queue<std::string> q;
    std::vector<Task<void>> gs;
    for (std::int64_t i = 0; i < 3; ++i) gs.push_back(create_task(cancel_getter(q, i)));
    co_await sleep(0);
    q.put_nowait("x");  // wakes getter 0 ...
    gs[0].cancel();     // ... which is cancelled before it runs: getter 2 gets the item
    gs[1].cancel();     // getter 1 cancelled while waiting
    co_await await_all(gs, false);
    trace("state", {{"q", q.repr()}});
    Queue<std::int64_t> q2(1);
    q2.put_nowait(100);
    std::vector<Task<void>> ps;
    for (std::int64_t i = 0; i < 3; ++i) ps.push_back(create_task(cancel_putter(q2, i)));
    co_await sleep(0);
    const std::int64_t v = q2.get_nowait();  // wakes putter 0
    ps[0].cancel();
    ps[1].cancel();
    co_await await_all(ps, false);
    trace("state", {{"v", v}, {"q", q2.repr()}});
}

TEST(QueueRules, CancelledGetterDoesNotLoseAnItemNorACancelledPutterASlot) {
    expect_golden(&queue_cancel, "sync_queue_cancel");
}

// ---------------------------------------------------------------- handles

TEST(SyncHandles, CopiesShareStateAndReprsMatchCPython) {
    Lock a;
    Lock b = a;
    EXPECT_TRUE(a == b);
    EXPECT_FALSE(a == Lock());
    EXPECT_EQ(a.repr(), "<asyncio.locks.Lock object [unlocked]>");
    EXPECT_EQ(BoundedSemaphore(2).repr(), "<asyncio.locks.BoundedSemaphore object [unlocked, value:2]>");
    EXPECT_EQ(Condition().repr(), "<asyncio.locks.Condition object [unlocked]>");
    EXPECT_EQ(sync::Event().repr(), "<asyncio.locks.Event object [unset]>");
    Queue<std::string> q(2);
    q.put_nowait("a");
    Queue<std::string> q2 = q;
    EXPECT_EQ(q2.qsize(), 1U);
    EXPECT_EQ(q2.repr(), "<Queue maxsize=2 _queue=['a'] tasks=1>");
    EXPECT_EQ(q2.get_nowait(), "a");
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(QueueEmpty().repr(), "QueueEmpty()");
}

}  // namespace
}  // namespace corosim
