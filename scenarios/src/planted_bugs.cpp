// planted_bugs.cpp: the planted-bug family. Each scenario is a realistic mistake that asyncio's
// own (FIFO) order hides and only some schedules expose; the fuzzer must find, shrink and
// replay each. Marked `planted`, so `fuzz --all` skips them unless `--include-planted`.
#include <cstdlib>
#include <memory>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

// ---- check-then-act across an await: two withdrawals both pass the balance check ----

struct Account {
    std::int64_t balance = 0;
};

Coro<void> withdraw(std::shared_ptr<Account> acct, std::int64_t amount, std::int64_t delay_yields) {
    for (std::int64_t i = 0; i < delay_yields; ++i) co_await sleep(0);
    if (acct->balance >= amount) {
        co_await sleep(0);  // "audit log" write: the check and the act are no longer atomic
        acct->balance -= amount;
        trace("withdrew", {{"amount", amount}, {"balance", acct->balance}});
    } else {
        trace("declined", {{"amount", amount}});
    }
}

// Two withdrawals race for one opening balance; returns the closing balance.
Coro<std::int64_t> two_withdrawals(Context c) {
    auto acct = std::make_shared<Account>();
    acct->balance = c.get("balance");
    Task<void> a = create_task(withdraw(acct, c.get("amount"), 0));
    Task<void> b = create_task(withdraw(acct, c.get("amount"), 1));
    co_await a;
    co_await b;
    co_return acct->balance;
}

Coro<void> check_then_act(Context c) {
    const std::int64_t balance = co_await two_withdrawals(c);
    check(balance >= 0, "balance never goes negative");
}

// ---- lost wakeup: the consumer checks the flag, yields, then starts waiting ----

struct Mailbox {
    bool ready = false;
    std::optional<Future<void>> waiter;
};

Coro<void> consumer(std::shared_ptr<Mailbox> box) {
    if (!box->ready) {
        co_await sleep(0);  // the bug: time passes between the check and the wait
        box->waiter = Future<void>();
        Future<void> w = *box->waiter;
        co_await w;
    }
    trace("consumed");
}

Coro<void> producer(std::shared_ptr<Mailbox> box, std::int64_t yields) {
    for (std::int64_t i = 0; i < yields; ++i) co_await sleep(0);
    box->ready = true;
    if (box->waiter && !box->waiter->done()) box->waiter->set_result();
    trace("produced");
}

Coro<void> lost_wakeup(Context c) {
    auto box = std::make_shared<Mailbox>();
    Task<void> cons = create_task(consumer(box));
    Task<void> prod = create_task(producer(box, c.get("producer_yields")));
    co_await prod;
    co_await cons;  // deadlocks when the wakeup was lost
}

// ---- double release when cancellation hits a cleanup ----

struct Pool {
    std::int64_t acquired = 0;
    std::int64_t released = 0;
};

Coro<void> use_resource(std::shared_ptr<Pool> pool, std::int64_t work_ms) {
    std::exception_ptr cancelled;
    try {
        co_await sleep(millis(work_ms));
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    if (cancelled) {
        ++pool->released;  // the bug: the cancel path releases, and the finally releases again
        std::rethrow_exception(cancelled);
    }
}

Coro<void> release_resource(std::shared_ptr<Pool> pool) {
    ++pool->released;
    co_return;
}

Coro<void> worker(std::shared_ptr<Pool> pool, std::int64_t work_ms) {
    ++pool->acquired;
    co_await try_finally(use_resource(pool, work_ms), &release_resource, pool);
}

Coro<void> cancel_at(Task<void> victim, std::int64_t at_ms) {
    co_await sleep(millis(at_ms));
    victim.cancel();
}

Coro<void> double_release(Context c) {
    auto pool = std::make_shared<Pool>();
    Task<void> w = create_task(worker(pool, c.get("work_ms")));
    Task<void> k = create_task(cancel_at(w, c.get("cancel_ms")));
    try {
        co_await w;
    } catch (const CancelledError&) {
        trace("worker.cancelled");
    }
    co_await k;
    check(pool->released == pool->acquired, "every acquire is released exactly once");
}

// ---- a TaskGroup child that swallows cancellation once it is past its first phase ----

struct Phase {
    int value = 0;
};

Coro<void> stubborn_child(std::shared_ptr<Phase> phase) {
    co_await sleep(seconds(1));
    co_await sleep(0);
    phase->value = 1;
    for (;;) {
        // The bug: a polling loop that treats CancelledError like a transient error, so once
        // it is running, the group's cancellation never ends it.
        std::exception_ptr err;
        try {
            co_await sleep(seconds(1));
        } catch (const CancelledError&) {
            err = std::current_exception();
        }
        if (err) trace("retrying.after", {{"exc", err}});
    }
}

Coro<void> failing_child(std::int64_t at_ms) {
    co_await sleep(millis(at_ms));
    throw ValueError("boom");
}

Coro<void> group_body(TaskGroup& tg, std::int64_t fail_ms, std::shared_ptr<Phase> phase) {
    (void)tg.create_task(failing_child(fail_ms));
    (void)tg.create_task(stubborn_child(phase));
    co_return;
}

Coro<void> swallowing_child(Context c) {
    auto phase = std::make_shared<Phase>();
    try {
        co_await async_with(TaskGroup(), &group_body, c.get("fail_ms"), phase);
    } catch (const ExceptionGroup&) {
        trace("group.failed");
    }
}

// ---- the same race, guarded by a C++ assertion that aborts the process ----

Coro<void> crash_on_overdraft(Context c) {
    const std::int64_t balance = co_await two_withdrawals(c);
    if (balance < 0) std::abort();  // what a C++ `assert` in the code under test does
}

// ---- an abandoned async generator whose resource is released only by its finalizer ----

struct Connection {
    bool open = false;
};

AsyncGen<std::int64_t> rows(std::shared_ptr<Connection> conn) {
    conn->open = true;
    std::exception_ptr failed;
    try {
        for (std::int64_t i = 0;; ++i) co_yield i;
    } catch (...) {
        failed = std::current_exception();
    }
    conn->open = false;  // the release happens only when the generator is closed
    if (failed) std::rethrow_exception(failed);
}

Coro<void> first_row(std::shared_ptr<Connection> conn) {
    AsyncGen<std::int64_t> g = rows(conn);
    (void)co_await g.next();
    // The bug: returns without aclose(); the connection is released only when the loop's
    // finalizer hook gets to close the abandoned generator, some iterations later.
}

Coro<void> leaked_connection(Context c) {
    auto conn = std::make_shared<Connection>();
    Task<void> reader = create_task(first_row(conn));
    co_await reader;
    for (std::int64_t i = 0; i < c.get("patience"); ++i) co_await sleep(0);
    check(!conn->open, "the connection is released once the reader is done");
}

}  // namespace

void register_planted_bugs(Registry& reg) {
    Scenario a{"planted_check_then_act", "planted_bugs",
               "PLANTED BUG: balance check and withdrawal split by an await; some schedules overdraw",
               {{"balance", 1, 100, 10, "opening balance"}, {"amount", 1, 100, 10, "each withdrawal"}},
               [](const Context& c) { return check_then_act(c); }};
    Scenario b{"planted_lost_wakeup", "planted_bugs",
               "PLANTED BUG: consumer checks a flag, yields, then waits; the wakeup can be lost (deadlock)",
               {{"producer_yields", 0, 4, 2, "yields before the producer publishes"}},
               [](const Context& c) { return lost_wakeup(c); }};
    Scenario d{"planted_double_release", "planted_bugs",
               "PLANTED BUG: cancel path and finally both release the resource when cancellation hits",
               {{"work_ms", 0, 2000, 1000, "how long the work sleeps"},
                {"cancel_ms", 0, 2000, 1000, "when the worker is cancelled"}},
               [](const Context& c) { return double_release(c); }};
    Scenario e{"planted_swallowing_child", "planted_bugs",
               "PLANTED BUG: a TaskGroup child retries on CancelledError, so the group never finishes",
               {{"fail_ms", 1000, 1000, 1000, "when the sibling fails (with the child's first wakeup)"}},
               [](const Context& c) { return swallowing_child(c); }};
    e.max_steps = 20'000;  // its failure is a hang; find it quickly
    Scenario f{"planted_crash", "planted_bugs",
               "PLANTED BUG: the check-then-act race behind an assertion that aborts the process",
               {{"balance", 1, 100, 10, "opening balance"}, {"amount", 1, 100, 10, "each withdrawal"}},
               [](const Context& c) { return crash_on_overdraft(c); }};
    Scenario g{"planted_abandoned_generator", "planted_bugs",
               "PLANTED BUG: a reader abandons an async generator; its connection is released only by the finalizer",
               {{"patience", 1, 1, 1, "iterations main waits before checking"}},
               [](const Context& c) { return leaked_connection(c); }};
    for (Scenario* s : {&a, &b, &d, &e, &f, &g}) {
        s->planted = true;
        reg.add(std::move(*s));
    }
}

}  // namespace corosim::scenarios
