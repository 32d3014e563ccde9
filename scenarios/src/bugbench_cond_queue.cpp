// bugbench_cond_queue.cpp: bugbench ports of historical asyncio.Condition and asyncio.Queue
// bugs, each primitive written here as the named CPython release shipped it, with a twin on
// the fixed code.
#include <string>
#include <vector>

#include "bugbench_util.hpp"

namespace corosim::scenarios {

namespace {

using bugbench::bb;
using bugbench::cancel_at;
using bugbench::join;
using bugbench::remove_fut;

// ---- asyncio.Condition.wait: a notify() lost to a simultaneous cancel ----
//
// k312 (3.12, and every release before 3.13): notify(1) marks one waiter's future done; if that
// waiter's task is cancelled before it runs, wait() re-acquires the lock and raises
// CancelledError, and no other waiter is notified. gh-112202, fixed by python/cpython#112201
// (Kristjan Valur Jonsson, 2024): wait() that fails for any reason passes one notify on
// (`except BaseException: self._notify(1); raise`), a spurious wakeup the protocol allows.
// (corosim's own Condition ports 3.12, so the twin uses the 3.13 code written here.)
enum class CondVersion { k312, k313 };

struct PortedCondition {
    explicit PortedCondition(CondVersion version) : v(version) {}
    CondVersion v;
    Lock lock;
    std::deque<Future<void>> waiters;
};

void cond_notify_n(PortedCondition& c, int n) {
    int idx = 0;
    for (Future<void>& fut : c.waiters) {
        if (idx >= n) break;
        if (!fut.done()) {
            ++idx;
            fut.set_result();
        }
    }
}

void cond_notify(PortedCondition& c, int n) {
    if (!c.lock.locked()) throw RuntimeError("cannot notify on un-acquired lock");
    cond_notify_n(c, n);
}

Coro<void> cond_wait(std::shared_ptr<PortedCondition> c) {
    if (!c->lock.locked()) throw RuntimeError("cannot wait on un-acquired lock");
    c->lock.release();
    std::exception_ptr failed;
    Future<void> fut;
    c->waiters.push_back(fut);
    try {
        co_await fut;
    } catch (...) {
        failed = std::current_exception();
    }
    remove_fut(c->waiters, fut);
    // finally: must re-acquire the lock even if the wait is cancelled.
    std::exception_ptr cancelled;
    for (;;) {
        try {
            co_await c->lock.acquire();
            break;
        } catch (const CancelledError&) {
            cancelled = std::current_exception();
        }
    }
    if (cancelled) failed = cancelled;
    if (failed) {
        if (c->v == CondVersion::k313) cond_notify_n(*c, 1);  // the fix
        std::rethrow_exception(failed);
    }
}

struct Stock {
    int items = 0;
    int consumed = 0;
};

// `async with cond: while not items: await cond.wait(); take one`.
Coro<void> cond_consumer(std::shared_ptr<PortedCondition> c, std::shared_ptr<Stock> st) {
    co_await c->lock.acquire();
    std::exception_ptr failed;
    try {
        while (st->items == 0) co_await cond_wait(c);
        --st->items;
        ++st->consumed;
    } catch (...) {
        failed = std::current_exception();
    }
    c->lock.release();
    if (failed) std::rethrow_exception(failed);
}

// `async with cond: items += 1; cond.notify(1)` at put_ms.
Coro<void> cond_producer(std::shared_ptr<PortedCondition> c, std::shared_ptr<Stock> st, std::int64_t put_ms) {
    co_await sleep(millis(put_ms));
    co_await c->lock.acquire();
    ++st->items;
    cond_notify(*c, 1);
    c->lock.release();
}

// Two consumers wait; one item is produced at put_ms; the first consumer is cancelled at
// cancel_ms (the canceller is created first: FIFO cancels before notifying on a tie).
Coro<void> cond_lost_notify(Context c, CondVersion v) {
    auto cond = std::make_shared<PortedCondition>(v);
    auto st = std::make_shared<Stock>();
    auto victim = std::make_shared<Task<void>>();
    Task<void> k = create_task(cancel_at(c.get("cancel_ms"), victim));
    *victim = create_task(cond_consumer(cond, st));
    Task<void> other = create_task(cond_consumer(cond, st));
    Task<void> p = create_task(cond_producer(cond, st, c.get("put_ms")));
    co_await join(k);
    co_await join(p);
    co_await sleep(millis(20));
    check(st->consumed == 1, "the one item produced is consumed");
    victim->cancel();
    other.cancel();
    co_await join(*victim);
    co_await join(other);
}

// ---- asyncio.Queue.get: an item handed to a getter that is then cancelled ----
//
// k343 (3.4.3): put_nowait() hands the item straight to the first waiting getter's future; if
// that getter's task is cancelled before it runs, the item is gone. bpo-23812, fixed by
// python/asyncio#256 (Gustavo Carneiro, 2015, in 3.4.4/3.5.0): get() that is cancelled after
// its future got an item puts the item back at the front of the queue.
enum class QueueVersion { k343, k344 };

struct PortedQueue {
    explicit PortedQueue(QueueVersion version) : v(version) {}
    QueueVersion v;
    std::deque<std::int64_t> items;
    std::deque<Future<std::int64_t>> getters;
};

void queue_put_nowait(PortedQueue& q, std::int64_t item) {
    // _consume_done_getters: delete waiters whose get() was cancelled.
    while (!q.getters.empty() && q.getters.front().done()) q.getters.pop_front();
    if (!q.getters.empty()) {
        Future<std::int64_t> getter = q.getters.front();
        q.getters.pop_front();
        getter.set_result(item);  // "getter cannot be cancelled, we just removed done getters"
        return;
    }
    q.items.push_back(item);
}

Coro<std::int64_t> queue_get(std::shared_ptr<PortedQueue> q) {
    if (!q->items.empty()) {
        const std::int64_t item = q->items.front();
        q->items.pop_front();
        co_return item;
    }
    Future<std::int64_t> waiter;
    q->getters.push_back(waiter);
    std::exception_ptr cancelled;
    try {
        co_return co_await waiter;
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    // _put_it_back: this get() must either succeed or be as if it never happened.
    if (q->v == QueueVersion::k344 && waiter.done() && !waiter.cancelled()) q->items.push_front(waiter.result());
    std::rethrow_exception(cancelled);
}

struct Received {
    int count = 0;
};

Coro<void> queue_consumer(std::shared_ptr<PortedQueue> q, std::shared_ptr<Received> r) {
    const std::int64_t item = co_await queue_get(q);
    ++r->count;
    trace("got", {{"item", item}});
}

// A consumer waits in get(); an item is put at put_ms; the consumer is cancelled at cancel_ms
// (the canceller is created first: FIFO cancels before the put on a tie).
Coro<void> queue_lost_item(Context c, QueueVersion v) {
    auto q = std::make_shared<PortedQueue>(v);
    auto r = std::make_shared<Received>();
    auto victim = std::make_shared<Task<void>>();
    Task<void> k = create_task(cancel_at(c.get("cancel_ms"), victim));
    *victim = create_task(queue_consumer(q, r));
    Task<void> p = create_task(bugbench::at_ms(c.get("put_ms"), [q] { queue_put_nowait(*q, 42); }));
    co_await join(k);
    co_await join(p);
    co_await join(*victim);
    check(r->count + static_cast<int>(q->items.size()) == 1, "the item put is received or still queued");
}

}  // namespace

void register_bugbench_cond_queue(Registry& reg) {
    const std::vector<ParamSpec> cond_params = {{"put_ms", 1, 5, 3, "when the producer notifies"},
                                                {"cancel_ms", 0, 5, 1, "when the first consumer is cancelled"}};
    reg.add(bb("bugbench_gh112202_condition", "gh-112202 (3.12 Condition): notify(1) to a waiter cancelled before it runs is lost; the item is never consumed",
               cond_params, [](const Context& c) { return cond_lost_notify(c, CondVersion::k312); }, true));
    reg.add(bb("bugbench_gh112202_condition_fixed", "gh-112202: the same race on the fixed Condition (3.13)", cond_params,
               [](const Context& c) { return cond_lost_notify(c, CondVersion::k313); }, false));

    const std::vector<ParamSpec> queue_params = {{"put_ms", 1, 5, 3, "when the item is put"},
                                                 {"cancel_ms", 0, 5, 1, "when the consumer is cancelled"}};
    reg.add(bb("bugbench_bpo23812_queue", "bpo-23812 (3.4.3 Queue): an item handed to a getter cancelled before it runs is lost",
               queue_params, [](const Context& c) { return queue_lost_item(c, QueueVersion::k343); }, true));
    reg.add(bb("bugbench_bpo23812_queue_fixed", "bpo-23812: the same race on the fixed Queue.get (3.4.4)", queue_params,
               [](const Context& c) { return queue_lost_item(c, QueueVersion::k344); }, false));
}

}  // namespace corosim::scenarios
