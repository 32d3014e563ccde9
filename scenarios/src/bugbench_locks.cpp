// bugbench_locks.cpp: bugbench ports of historical asyncio.Lock and asyncio.Semaphore bugs.
// Each buggy primitive is written here in the form CPython shipped it (Lib/asyncio/locks.py of
// the named release), on top of corosim's Future; the twin runs the same scenario on the fixed
// code. The scenarios are `planted` (excluded from `fuzz --all`), their twins are not.
#include <string>
#include <vector>

#include "bugbench_util.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

using bugbench::bb;
using bugbench::cancel_at;
using bugbench::join;
using bugbench::remove_fut;

// ---- asyncio.Lock as of three releases ----
//
// k352 (3.5.2): a waiter that is woken by release() and then cancelled before it runs leaves
//   the lock unlocked with nobody woken: the next waiters hang. bpo-27585, fixed by
//   python/cpython#1031 (Mathieu Sornay, 2017): a cancelled waiter wakes the next one when
//   the lock is free.
// k364 (3.6.4): that fix's _wake_up_first() wakes the first waiter *that is not done*, so a
//   cancelled waiter (done) that runs after release() already woke its successor wakes one
//   more: two tasks hold the lock. bpo-32734, fixed by python/cpython#5466 (Bar Harel, 2018):
//   remove the waiter before waking, and wake only the very first waiter if it is not done.
// k370 (3.7+, unchanged in 3.12): the fixed code.
enum class LockVersion { k352, k364, k370 };

struct PortedLock {
    explicit PortedLock(LockVersion version) : v(version) {}
    LockVersion v;
    std::deque<Future<void>> waiters;
    bool locked = false;
};

void wake_up_first(PortedLock& l) {
    if (l.v == LockVersion::k370) {
        if (l.waiters.empty()) return;
        Future<void>& fut = l.waiters.front();
        if (!fut.done()) fut.set_result();
        return;
    }
    for (Future<void>& fut : l.waiters) {
        if (!fut.done()) {
            fut.set_result();
            return;
        }
    }
}

void lock_release(PortedLock& l) {
    if (!l.locked) throw RuntimeError("Lock is not acquired.");
    l.locked = false;
    wake_up_first(l);
}

Coro<void> lock_acquire(std::shared_ptr<PortedLock> l) {
    if (!l->locked &&
        std::all_of(l->waiters.begin(), l->waiters.end(), [](const Future<void>& w) { return w.cancelled(); })) {
        l->locked = true;
        co_return;
    }
    Future<void> fut;
    l->waiters.push_back(fut);
    std::exception_ptr failed;
    bool is_cancel = false;
    try {
        co_await fut;
    } catch (const CancelledError&) {
        failed = std::current_exception();
        is_cancel = true;
    } catch (...) {
        failed = std::current_exception();
    }
    switch (l->v) {
        case LockVersion::k352:  // try: await fut; finally: remove
            remove_fut(l->waiters, fut);
            break;
        case LockVersion::k364:  // except CancelledError runs before the finally's remove
            if (is_cancel && !l->locked) wake_up_first(*l);
            remove_fut(l->waiters, fut);
            break;
        case LockVersion::k370:  // inner finally removes first, then the except wakes
            remove_fut(l->waiters, fut);
            if (is_cancel && !l->locked) wake_up_first(*l);
            break;
    }
    if (failed) std::rethrow_exception(failed);
    l->locked = true;
}

struct Holders {
    int now = 0;
};

// `async with lock: await sleep(work_ms)`, counting the holders.
Coro<void> locked_work(std::shared_ptr<PortedLock> l, std::shared_ptr<Holders> h, std::int64_t work_ms) {
    co_await lock_acquire(l);
    ++h->now;
    check(h->now <= 1, "at most one task holds the lock");
    std::exception_ptr failed;
    try {
        co_await sleep(millis(work_ms));
    } catch (...) {
        failed = std::current_exception();
    }
    --h->now;
    lock_release(*l);
    if (failed) std::rethrow_exception(failed);
}

// A holder releases at hold_ms; three waiters queue; the first waiter is cancelled at cancel_ms.
// `canceller_first` decides which of the two timers FIFO fires first on a tie.
Coro<void> lock_race(Context c, LockVersion v, bool canceller_first) {
    auto l = std::make_shared<PortedLock>(v);
    auto holders = std::make_shared<Holders>();
    auto victim = std::make_shared<Task<void>>();
    std::vector<Task<void>> tasks;
    if (canceller_first) tasks.push_back(create_task(cancel_at(c.get("cancel_ms"), victim)));
    tasks.push_back(create_task(locked_work(l, holders, c.get("hold_ms"))));
    if (!canceller_first) tasks.push_back(create_task(cancel_at(c.get("cancel_ms"), victim)));
    *victim = create_task(locked_work(l, holders, 1));
    tasks.push_back(*victim);
    tasks.push_back(create_task(locked_work(l, holders, 1)));
    tasks.push_back(create_task(locked_work(l, holders, 1)));
    for (Task<void>& t : tasks) co_await join(t);  // a lost wakeup shows as a deadlock here
    check(!l->locked, "the lock is free at the end");
}

// ---- asyncio.Semaphore as of two releases ----
//
// k3100 (3.10.0): release() wakes a waiter but leaves the unit in _value, so a task that calls
//   acquire() before the woken one runs takes it (barging), and the woken one queues again at
//   the back: no FIFO order. bpo-45997, fixed by python/cpython#31910 (Andrew Svetlov, 2022)
//   with a _wakeup_scheduled flag.
// k3105 (that fix as released in 3.10.5/3.11 betas): a woken waiter cancelled before it runs
//   leaves _wakeup_scheduled set for ever, and every later acquire() blocks. gh-90155, fixed by
//   python/cpython#93222 (Cyker Way, 2022): _wake_up_next() takes the unit for the woken waiter
//   (the code corosim's own Semaphore ports, used by the twins).
enum class SemVersion { k3100, k3105 };

struct PortedSemaphore {
    explicit PortedSemaphore(SemVersion version) : v(version) {}
    SemVersion v;
    int value = 1;
    std::deque<Future<void>> waiters;
    bool wakeup_scheduled = false;
};

void sem_wake_up_next(PortedSemaphore& s) {
    while (!s.waiters.empty()) {
        Future<void> w = s.waiters.front();
        s.waiters.pop_front();
        if (!w.done()) {
            w.set_result();
            if (s.v == SemVersion::k3105) s.wakeup_scheduled = true;
            return;
        }
    }
}

Coro<void> sem_acquire(std::shared_ptr<PortedSemaphore> s) {
    while (s->v == SemVersion::k3100 ? s->value <= 0 : (s->wakeup_scheduled || s->value <= 0)) {
        Future<void> fut;
        s->waiters.push_back(fut);
        std::exception_ptr failed;
        bool is_cancel = false;
        try {
            co_await fut;
        } catch (const CancelledError&) {
            failed = std::current_exception();
            is_cancel = true;
        } catch (...) {
            failed = std::current_exception();
        }
        if (s->v == SemVersion::k3100) {
            if (failed) {  // bare except: see the similar code in Queue.get
                fut.cancel();
                if (s->value > 0 && !fut.cancelled()) sem_wake_up_next(*s);
                std::rethrow_exception(failed);
            }
        } else if (!failed) {
            s->wakeup_scheduled = false;  // reset *after* waiting for the future
        } else {
            if (is_cancel) sem_wake_up_next(*s);  // the bug: _wakeup_scheduled stays set
            std::rethrow_exception(failed);
        }
    }
    s->value -= 1;
}

void sem_release(PortedSemaphore& s) {
    s.value += 1;
    sem_wake_up_next(s);
}

/// The semaphore a scenario runs on: a ported buggy one, or corosim's (3.12, fixed).
struct SemOps {
    std::shared_ptr<PortedSemaphore> ported;
    Semaphore fixed{1};

    Coro<void> acquire() const {
        if (ported) {
            co_await sem_acquire(ported);
        } else {
            co_await fixed.acquire();
        }
    }
    void release() const {
        if (ported) {
            sem_release(*ported);
        } else {
            fixed.release();
        }
    }
};

SemOps make_sem(std::optional<SemVersion> v) {
    SemOps ops;
    if (v) ops.ported = std::make_shared<PortedSemaphore>(*v);
    return ops;
}

struct Order {
    std::vector<std::string> arrived;
    std::vector<std::string> acquired;
};

// `async with sem: await sleep(hold_ms)`, logging when acquire() was called and when it returned.
Coro<void> sem_user(SemOps sem, std::shared_ptr<Order> order, std::string name, std::int64_t arrive_ms,
                    std::int64_t hold_ms) {
    if (arrive_ms > 0) co_await sleep(millis(arrive_ms));
    order->arrived.push_back(name);
    co_await sem.acquire();
    order->acquired.push_back(name);
    trace("acquired", {{"who", name}});
    std::exception_ptr failed;
    try {
        co_await sleep(millis(hold_ms));
    } catch (...) {
        failed = std::current_exception();
    }
    sem.release();
    if (failed) std::rethrow_exception(failed);
}

// bpo-45997: a holder releases at hold_ms while a newcomer arrives at arrive_ms; a waiter has
// queued since the start. The newcomer's task is created first, so FIFO lets it arrive before
// the release on a tie and it queues behind the waiter.
Coro<void> sem_barging(Context c, std::optional<SemVersion> v) {
    SemOps sem = make_sem(v);
    auto order = std::make_shared<Order>();
    Task<void> n = create_task(sem_user(sem, order, "newcomer", c.get("arrive_ms"), 1));
    Task<void> h = create_task(sem_user(sem, order, "holder", 0, c.get("hold_ms")));
    Task<void> w = create_task(sem_user(sem, order, "waiter", 0, 1));
    co_await h;
    co_await w;
    co_await n;
    check(order->acquired == order->arrived, "the semaphore is acquired in arrival order (FIFO)");
}

// gh-90155: a holder releases at hold_ms, the waiter it wakes is cancelled at cancel_ms, and a
// late task must still get the semaphore. The canceller is created first (FIFO: cancel, then
// release, on a tie).
Coro<void> sem_cancelled_wakeup(Context c, std::optional<SemVersion> v) {
    SemOps sem = make_sem(v);
    auto order = std::make_shared<Order>();
    auto victim = std::make_shared<Task<void>>();
    Task<void> k = create_task(cancel_at(c.get("cancel_ms"), victim));
    Task<void> h = create_task(sem_user(sem, order, "holder", 0, c.get("hold_ms")));
    *victim = create_task(sem_user(sem, order, "waiter", 0, 1));
    Task<void> late = create_task(sem_user(sem, order, "late", 10, 1));
    co_await join(k);
    co_await join(h);
    co_await join(*victim);
    co_await join(late);  // a stuck _wakeup_scheduled shows as a deadlock here
}

}  // namespace

void register_bugbench_locks(Registry& reg) {
    const std::vector<ParamSpec> lock_params = {{"hold_ms", 1, 5, 3, "when the holder releases"},
                                                {"cancel_ms", 0, 5, 1, "when the first waiter is cancelled"}};
    reg.add(bb("bugbench_bpo27585_lock", "bpo-27585 (3.5.2 Lock): a woken waiter cancelled before it runs loses the wakeup; the others hang",
               lock_params, [](const Context& c) { return lock_race(c, LockVersion::k352, true); }, true));
    reg.add(bb("bugbench_bpo27585_lock_fixed", "bpo-27585: the same race on the fixed Lock (3.7+)", lock_params,
               [](const Context& c) { return lock_race(c, LockVersion::k370, true); }, false));
    reg.add(bb("bugbench_bpo32734_lock", "bpo-32734 (3.6.4 Lock): a cancelled waiter wakes a second one after release() woke the first; two holders",
               lock_params, [](const Context& c) { return lock_race(c, LockVersion::k364, false); }, true));
    reg.add(bb("bugbench_bpo32734_lock_fixed", "bpo-32734: the same race on the fixed Lock (3.7+)", lock_params,
               [](const Context& c) { return lock_race(c, LockVersion::k370, false); }, false));

    const std::vector<ParamSpec> barge_params = {{"hold_ms", 1, 5, 3, "when the holder releases"},
                                                 {"arrive_ms", 1, 5, 1, "when the newcomer calls acquire()"}};
    reg.add(bb("bugbench_bpo45997_semaphore", "bpo-45997 (3.10.0 Semaphore): a newcomer takes the unit release() meant for the woken waiter (not FIFO)",
               barge_params, [](const Context& c) { return sem_barging(c, SemVersion::k3100); }, true));
    reg.add(bb("bugbench_bpo45997_semaphore_fixed", "bpo-45997: the same race on the fixed Semaphore (3.12)", barge_params,
               [](const Context& c) { return sem_barging(c, std::nullopt); }, false));

    const std::vector<ParamSpec> wake_params = {{"hold_ms", 1, 5, 3, "when the holder releases"},
                                                {"cancel_ms", 0, 5, 1, "when the waiter is cancelled"}};
    reg.add(bb("bugbench_gh90155_semaphore", "gh-90155 (bpo-45997's fix): a woken waiter cancelled before it runs leaves _wakeup_scheduled set; later acquires hang",
               wake_params, [](const Context& c) { return sem_cancelled_wakeup(c, SemVersion::k3105); }, true));
    reg.add(bb("bugbench_gh90155_semaphore_fixed", "gh-90155: the same race on the fixed Semaphore (3.12)", wake_params,
               [](const Context& c) { return sem_cancelled_wakeup(c, std::nullopt); }, false));
}

}  // namespace corosim::scenarios
