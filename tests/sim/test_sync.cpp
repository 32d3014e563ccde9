// asyncio synchronisation primitives and Queue (sim/include/corosim/sync.hpp, queue.hpp). Each
// scenario is the C++ twin of a CPython 3.12 program run on the conformance reference loop
// (tests/conformance/refloop.py); the expected text is that program's FIFO trace, verbatim.
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
    expect_trace(&event_order, R"(     0 -            run.start
     0 Task-1       wait i=0
     0 Task-2       wait i=1
     0 Task-3       wait i=2
     0 main         set was=False ev=<asyncio.locks.Event object [unset, waiters:3]>
     0 main         fast r=True
     0 Task-1       woke i=0 r=True
     0 Task-2       woke i=1 r=True
     0 Task-3       woke i=2 r=True
     0 main         cleared set=False
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
    expect_trace(&lock_fifo, R"(     0 -            run.start
     0 Task-1       want i=0
     0 Task-2       want i=1
     0 Task-3       want i=2
     0 main         release lock=<asyncio.locks.Lock object [locked, waiters:3]>
     0 Task-1       got i=0
     0 Task-1       released i=0
     0 Task-2       got i=1
     0 Task-2       released i=1
     0 Task-3       got i=2
     0 Task-3       released i=2
     0 main         end locked=False
     0 main         error e=RuntimeError('Lock is not acquired.')
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
    expect_trace(&lock_cancel, R"(     0 -            run.start
     0 main         after locked=False lock=<asyncio.locks.Lock object [unlocked, waiters:4]>
     0 Task-1       cancelled i=0 locked=False
     0 Task-3       cancelled i=2 locked=False
     0 Task-2       got i=1
     0 main         task_cancelled i=0
     0 Task-2       released i=1
     0 Task-4       got i=3
     0 main         done i=1
     0 main         task_cancelled i=2
     0 Task-4       released i=3
     0 main         done i=3
     0 main         end lock=<asyncio.locks.Lock object [unlocked]>
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
    expect_trace(&lock_fast_path, R"(     0 -            run.start
     0 main         reacquired lock=<asyncio.locks.Lock object [locked, waiters:1]>
     0 Task-1       cancelled i=0 locked=True
     0 main         task_cancelled i=0
     0 main         end lock=<asyncio.locks.Lock object [unlocked]>
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
    expect_trace(&lock_deadlock, R"(     0 -            run.start
     0 main         again lock=<asyncio.locks.Lock object [locked]>
     0 -            deadlock
     0 -            run.cancel_all tasks=['main', 'Task-1']
     0 -            gc label=end
     0 -            run.closed
)",
                 Outcome::kDeadlock);
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
    expect_trace(&lock_async_with, R"(     0 -            run.start
     0 main         in i=9 locked=True
     0 Task-1       in i=0 locked=True
     0 Task-2       in i=1 locked=True
     0 main         end locked=False
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
    expect_trace(&sem_order, R"(     0 -            run.start
     0 Task-1       enter i=0 n=1
     0 Task-2       enter i=1 n=2
     0 main         sem sem=<asyncio.locks.Semaphore object [locked, waiters:4]> locked=True
     2 Task-2       exit i=1
     2 Task-3       enter i=2 n=2
     3 Task-1       exit i=0
     3 Task-3       exit i=2
     3 Task-4       enter i=3 n=1
     3 Task-5       enter i=4 n=2
     5 Task-5       exit i=4
     5 Task-6       enter i=5 n=2
     6 Task-4       exit i=3
     6 Task-6       exit i=5
     6 main         end sem=<asyncio.locks.Semaphore object [unlocked, value:2]>
     6 -            run.result value=None
     6 -            gc label=end
     6 -            run.closed
)");
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
    expect_trace(&sem_cancel, R"(     0 -            run.start
     0 main         after sem=<asyncio.locks.Semaphore object [locked, waiters:4]>
     0 Task-1       cancelled i=0 value=0
     0 Task-3       cancelled i=2 value=0
     0 Task-2       got i=1 value=0
     0 main         task_cancelled i=0
     0 main         task_cancelled i=2
     0 main         mid sem=<asyncio.locks.Semaphore object [locked, waiters:1]>
     0 Task-4       got i=3 value=0
     0 main         end sem=<asyncio.locks.Semaphore object [locked]>
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
    expect_trace(&bounded, R"(     0 -            run.start
     0 main         error e=ValueError('BoundedSemaphore released too many times') sem=<asyncio.locks.BoundedSemaphore object [unlocked, value:1]>
     0 main         error e=ValueError('Semaphore initial value must be >= 0')
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
    expect_trace(&cond_notify, R"(     0 -            run.start
     0 Task-1       wait i=0
     0 Task-2       wait i=1
     0 Task-3       wait i=2
     0 Task-4       wait i=3
     0 Task-5       wait i=4
     0 main         notified n=1 cond=<asyncio.locks.Condition object [locked, waiters:5]>
     0 Task-1       woke i=0 r=True locked=True
     0 main         notified n=2
     0 Task-2       woke i=1 r=True locked=True
     0 Task-3       woke i=2 r=True locked=True
     0 main         notified n=all
     0 Task-4       woke i=3 r=True locked=True
     0 Task-5       woke i=4 r=True locked=True
     0 main         error e=RuntimeError('cannot notify on un-acquired lock')
     0 main         error e=RuntimeError('cannot wait on un-acquired lock')
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
    expect_trace(&cond_wait_for, R"(     0 -            run.start
     0 Task-4       ready i=0 n=0 v=True
     0 main         bump n=1
     0 Task-2       ready i=1 n=1 v=True
     0 main         bump n=2
     0 Task-1       ready i=2 n=2 v=True
     0 main         bump n=3
     0 Task-3       ready i=3 n=3 v=True
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
    expect_trace(&cond_cancel, R"(     0 -            run.start
     0 main         holding cond=<asyncio.locks.Condition object [locked]>
     0 Task-1       cancelled locked=True e=CancelledError('stop')
     0 main         task_cancelled e=CancelledError('stop') locked=False
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
    expect_trace(&cond_cancel_reacquire, R"(     0 -            run.start
     0 main         holding cond=<asyncio.locks.Condition object [locked]> lock=<asyncio.locks.Lock object [locked, waiters:1]>
     0 Task-1       cancelled locked=True e=CancelledError()
     0 main         task_cancelled e=CancelledError() locked=False
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
    expect_trace(&cond_cancel_twice, R"(     0 -            run.start
     0 Task-1       cancelled locked=True e=CancelledError() <-context- CancelledError('one')
     0 main         task_cancelled e=CancelledError() <-context- CancelledError('one') locked=False
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
    expect_trace(&queue_put_blocking, R"(     0 -            run.start
     0 Task-1       put i=0 size=1 full=False
     0 Task-1       put i=1 size=2 full=True
     0 main         state q=<Queue maxsize=2 _queue=[0, 1] _putters[1] tasks=2>
     0 Task-2       got v=0 q=<Queue maxsize=2 _queue=[1] tasks=2>
     0 Task-1       put i=2 size=2 full=True
     0 Task-2       got v=1 q=<Queue maxsize=2 _queue=[2] tasks=2>
     0 Task-1       put i=3 size=2 full=True
     0 Task-2       got v=2 q=<Queue maxsize=2 _queue=[3] tasks=2>
     0 Task-1       put i=4 size=2 full=True
     0 Task-2       got v=3 q=<Queue maxsize=2 _queue=[4] tasks=2>
     0 main         produced q=<Queue maxsize=2 _queue=[4] tasks=2>
     0 Task-2       got v=4 q=<Queue maxsize=2 tasks=1>
     0 main         joined q=<Queue maxsize=2>
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
    expect_trace(&queue_get_order, R"(     0 -            run.start
     0 main         state q=<Queue maxsize=0 _getters[3]>
     0 main         state q=<Queue maxsize=0 _queue=['a', 'b', 'c'] tasks=3>
     0 Task-1       got i=0 v=a
     0 Task-2       got i=1 v=b
     0 Task-3       got i=2 v=c
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
    expect_trace(&queue_nowait, R"(     0 -            run.start
     0 main         error e=QueueEmpty()
     0 main         error e=QueueFull()
     0 main         state size=1 full=True empty=False q=<Queue maxsize=1 _queue=[1] tasks=1>
     0 main         error e=ValueError('task_done() called too many times') v=1
     0 main         joined
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
    expect_trace(&queue_join, R"(     0 -            run.start
     0 main         done v=0 q=<Queue maxsize=0 _queue=[1, 2] tasks=2>
     0 main         done v=1 q=<Queue maxsize=0 _queue=[2] tasks=1>
     0 main         done v=2 q=<Queue maxsize=0>
     0 Task-1       joined i=0
     0 Task-2       joined i=1
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
    expect_trace(&queue_cancel, R"(     0 -            run.start
     0 Task-1       cancelled i=0 q=<Queue maxsize=0 _queue=['x'] tasks=1>
     0 Task-2       cancelled i=1 q=<Queue maxsize=0 _queue=['x'] tasks=1>
     0 Task-3       got i=2 v=x
     0 main         task_cancelled i=0
     0 main         task_cancelled i=1
     0 main         state q=<Queue maxsize=0 tasks=1>
     0 Task-4       cancelled i=0 q=<Queue maxsize=1 tasks=1>
     0 Task-5       cancelled i=1 q=<Queue maxsize=1 tasks=1>
     0 Task-6       put i=2
     0 main         task_cancelled i=0
     0 main         task_cancelled i=1
     0 main         state v=100 q=<Queue maxsize=1 _queue=[2] tasks=2>
     0 -            run.result value=None
     0 -            gc label=end
     0 -            run.closed
)");
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
