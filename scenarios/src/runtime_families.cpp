// runtime_families.cpp: fuzz families for issue 5's runtime pieces, with parameters and
// invariants that hold for every schedule: `sync_primitives` (a bounded Queue between
// producers and consumers some of which are cancelled; a Lock-guarded counter), `contextvars`
// (tasks isolated by their copied contexts) and `blocking_call` (timers due during a blocking
// call fire late, in order).
#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

// ---- sync_primitives: queue_handoff ----

struct Ledger {
    std::vector<std::int64_t> consumed;
    std::int64_t guarded = 0;    // updated under the Lock with an await in between
    std::int64_t completed = 0;  // critical sections that ran to the end
};

Coro<void> producer(Queue<std::int64_t> q, std::int64_t first, std::int64_t count) {
    for (std::int64_t i = 0; i < count; ++i) {
        Coro<void> put = q.put(first + i);
        co_await std::move(put);
    }
}

Coro<void> critical_section(Lock&, std::shared_ptr<Ledger> ledger) {
    const std::int64_t before = ledger->guarded;
    co_await sleep(0);  // safe: the lock is held
    ledger->guarded = before + 1;
    ++ledger->completed;
}

Coro<void> count_item(std::shared_ptr<Ledger> ledger, Lock lock) {
    co_await async_with(lock, &critical_section, ledger);  // released even when cancelled
}

Coro<void> item_done(Queue<std::int64_t> q) {
    q.task_done();
    co_return;
}

Coro<void> consumer(Queue<std::int64_t> q, Lock lock, std::shared_ptr<Ledger> ledger) {
    for (;;) {
        Coro<std::int64_t> get = q.get();
        const std::int64_t v = co_await std::move(get);
        ledger->consumed.push_back(v);  // recorded before any other await: never lost
        co_await try_finally(count_item(ledger, lock), &item_done, q);
    }
}

Coro<void> queue_handoff(Context c) {
    const auto producers = c.get("producers");
    const auto items = c.get("items");
    Queue<std::int64_t> q(static_cast<int>(c.get("maxsize")));
    Lock lock;
    auto ledger = std::make_shared<Ledger>();
    std::vector<Task<void>> consumers;
    for (std::int64_t i = 0; i < c.get("consumers"); ++i) consumers.push_back(create_task(consumer(q, lock, ledger)));
    std::vector<Task<void>> ps;
    for (std::int64_t p = 0; p < producers; ++p) ps.push_back(create_task(producer(q, p * items, items)));
    // Cancel a consumer now and then; a fresh one takes its place.
    for (std::int64_t k = 0; k < c.get("cancellations"); ++k) {
        co_await sleep(0);
        consumers[static_cast<std::size_t>(k) % consumers.size()].cancel();
        consumers[static_cast<std::size_t>(k) % consumers.size()] = create_task(consumer(q, lock, ledger));
    }
    for (auto& p : ps) co_await p;
    Coro<void> join = q.join();
    co_await std::move(join);
    for (auto& t : consumers) t.cancel();
    std::vector<std::int64_t> got = ledger->consumed;
    std::sort(got.begin(), got.end());
    std::vector<std::int64_t> expected;
    for (std::int64_t v = 0; v < producers * items; ++v) expected.push_back(v);
    check(got == expected, "every item is consumed exactly once, cancellations notwithstanding");
    check(ledger->guarded == ledger->completed, "the Lock-guarded counter loses no update");
}

// ---- contextvars: context_isolation ----

const ContextVar<std::int64_t> request_id("request_id", std::int64_t{-1});

Coro<void> handler(std::int64_t id, std::int64_t hops, std::shared_ptr<std::int64_t> mismatches) {
    request_id.set(id);
    for (std::int64_t h = 0; h < hops; ++h) {
        co_await sleep(0);
        if (request_id.get() != id) ++*mismatches;
    }
}

Coro<void> context_isolation(Context c) {
    auto mismatches = std::make_shared<std::int64_t>(0);
    request_id.set(1000);
    std::vector<Task<void>> tasks;
    for (std::int64_t i = 0; i < c.get("tasks"); ++i) tasks.push_back(create_task(handler(i, c.get("hops"), mismatches)));
    for (auto& t : tasks) co_await t;
    check(*mismatches == 0, "a task only ever sees its own value");
    check(request_id.get() == 1000, "children's sets never reach the parent");
}

// ---- blocking_call: late timers ----

Coro<void> late_timers(Context c) {
    Loop& loop = running_loop();
    auto fired = std::make_shared<std::vector<Nanos>>();
    for (std::int64_t i = 1; i <= c.get("timers"); ++i) {
        loop.call_later(millis(i * c.get("spacing_ms")), [fired, &loop] { fired->push_back(loop.time()); });
    }
    const Nanos start = loop.time();
    blocking(millis(c.get("block_ms")));
    co_await sleep(millis(c.get("timers") * c.get("spacing_ms") + 1));
    check(std::is_sorted(fired->begin(), fired->end()), "timers fire in time order");
    check(fired->empty() || fired->front() >= start + millis(c.get("block_ms")),
          "no timer fires while a blocking call holds the loop");
    check(static_cast<std::int64_t>(fired->size()) == c.get("timers"), "every timer fires");
}

}  // namespace

void register_runtime_families(Registry& reg) {
    reg.add({"queue_handoff", "sync_primitives",
             "producers and consumers share a bounded Queue; cancelled consumers lose no item",
             {{"producers", 1, 4, 2, "producer tasks"},
              {"consumers", 1, 4, 2, "consumer tasks"},
              {"items", 1, 30, 10, "items per producer"},
              {"maxsize", 0, 5, 2, "queue bound (0: unbounded)"},
              {"cancellations", 0, 6, 2, "consumers cancelled and replaced"}},
             [](const Context& c) { return queue_handoff(c); }});
    reg.add({"context_isolation", "contextvars", "tasks set a ContextVar and only ever see their own value",
             {{"tasks", 1, 10, 4, "tasks"}, {"hops", 0, 10, 3, "yields each task makes"}},
             [](const Context& c) { return context_isolation(c); }});
    reg.add({"late_timers", "blocking_call", "timers due during a blocking call fire after it, in order",
             {{"timers", 0, 10, 4, "timers"}, {"spacing_ms", 1, 500, 100, "gap between timers"},
              {"block_ms", 0, 3000, 250, "length of the blocking call"}},
             [](const Context& c) { return late_timers(c); }});
}

}  // namespace corosim::scenarios

namespace corosim::scenarios {

namespace {

// ---- unawaited: dropped coroutine objects warn once each and never run ----

Coro<void> body_counter(std::shared_ptr<std::int64_t> ran) {
    ++*ran;
    co_return;
}

Coro<void> dropped_coroutines(Context c) {
    Loop& loop = running_loop();
    auto ran = std::make_shared<std::int64_t>(0);
    std::int64_t awaited = 0;
    std::int64_t dropped = 0;
    for (std::int64_t i = 0; i < c.get("count"); ++i) {
        Coro<void> coro = body_counter(ran);
        if (i % c.get("await_every") == 0) {
            co_await std::move(coro);
            ++awaited;
        } else if (i % 2 == 0) {
            // Closed, not dropped, in a plain callback: close() on an unstarted coroutine does not
            // warn (A4).
            auto holder = std::make_shared<Coro<void>>(std::move(coro));
            loop.call_soon([holder] { holder->close(); }, "close()");
        } else {
            ++dropped;
        }
        co_await sleep(0);
    }
    check(*ran == awaited, "a coroutine that is never awaited never runs");
    check(loop.never_awaited_warnings() == static_cast<std::uint64_t>(dropped),
          "each dropped coroutine warns exactly once (closed ones do not)");
}

// ---- never_retrieved: failed fire-and-forget tasks are reported, retrieved ones are not ----

Coro<void> maybe_fail(bool fail) {
    co_await sleep(0);
    if (fail) throw ValueError("lost");
}

Coro<void> fire_and_forget(Context c) {
    Loop& loop = running_loop();
    std::int64_t expected = 0;
    {
        std::vector<Task<void>> all;
        std::vector<Task<void>> retrieved;
        for (std::int64_t i = 0; i < c.get("tasks"); ++i) {
            const bool fail = ((c.get("failing") >> i) & 1) != 0;
            const bool retrieve = ((c.get("retrieved") >> i) & 1) != 0;
            all.push_back(create_task(maybe_fail(fail)));
            if (retrieve) {
                retrieved.push_back(all.back());
            } else if (fail) {
                ++expected;
            }
        }
        for (auto& t : retrieved) {
            try {
                co_await t;
            } catch (const ValueError&) {
            }
        }
        // Wait for every task without retrieving anything (ALL_COMPLETED looks at no outcome).
        WaitResult<void> finished = co_await wait(std::move(all));
        (void)finished;
    }  // the last references go here: the failed, unretrieved tasks are reported now
    check(loop.unretrieved_reports() == static_cast<std::uint64_t>(expected),
          "exactly the failed tasks nobody retrieved are reported");
}

// ---- asyncgen_cleanup: abandoned generators are finalized once ----

struct GenLog {
    std::int64_t started = 0;
    std::int64_t finalized = 0;
};

AsyncGen<std::int64_t> resource_gen(std::int64_t n, std::shared_ptr<GenLog> log) {
    ++log->started;
    std::exception_ptr failed;
    try {
        for (std::int64_t i = 0; i < n; ++i) {
            co_yield i;
            co_await sleep(0);
        }
    } catch (...) {
        failed = std::current_exception();
    }
    co_await sleep(0);  // the cleanup awaits (releasing a resource)
    ++log->finalized;
    if (failed) std::rethrow_exception(failed);
}

Coro<void> use_gen(AsyncGen<std::int64_t> g, std::int64_t take, bool close) {
    for (std::int64_t i = 0; i < take; ++i) {
        if (!co_await g.next()) break;
    }
    if (close) {
        auto closing = g.aclose();
        co_await closing;
    }
}

Coro<void> abandoned_generators(Context c) {
    auto log = std::make_shared<GenLog>();
    std::vector<Task<void>> users;
    for (std::int64_t i = 0; i < c.get("generators"); ++i) {
        const bool close = ((c.get("closed") >> i) & 1) != 0;
        users.push_back(create_task(use_gen(resource_gen(c.get("items"), log), (i * 7 + 3) % (c.get("items") + 2), close)));
    }
    for (auto& u : users) co_await u;
    for (int i = 0; i < 4; ++i) co_await sleep(0);  // the finalizer hook's aclose() tasks run
    check(log->finalized == log->started, "every started generator's cleanup runs exactly once");
}

// ---- destroyed_pending: tasks waiting on futures only they hold are collected, others never ----

struct WaiterLog {
    std::int64_t woke = 0;
    std::int64_t closed = 0;
    std::int64_t reports = 0;
};

Coro<void> forgotten_waiter(std::optional<Future<std::int64_t>> given, std::int64_t i, std::shared_ptr<WaiterLog> log) {
    Future<std::int64_t> fut = given ? std::move(*given) : Future<std::int64_t>();
    for (std::int64_t k = 0; k < i % 3; ++k) co_await sleep(0);
    try {
        const std::int64_t v = co_await fut;
        check(v == i, "a waiter gets its own value");
        ++log->woke;
    } catch (const GeneratorExit&) {
        ++log->closed;  // only a collection closes a waiter
        throw;
    }
}

Coro<void> forgotten_waiters(Context c) {
    Loop& loop = running_loop();
    auto log = std::make_shared<WaiterLog>();
    loop.set_exception_handler([log](Loop& l, const ExceptionContext& ctx) {
        if (ctx.message == "Task was destroyed but it is pending!") ++log->reports;
        l.default_exception_handler(ctx);
    });
    struct Held {
        std::int64_t index;
        Future<std::int64_t> fut;
        Task<void> task;
    };
    std::vector<Held> held;
    std::int64_t abandoned = 0;
    for (std::int64_t i = 0; i < c.get("tasks"); ++i) {
        if (((c.get("abandoned") >> i) & 1) != 0) {
            Task<void> dropped = create_task(forgotten_waiter(std::nullopt, i, log));
            ++abandoned;
        } else {
            Future<std::int64_t> fut;
            Task<void> t = create_task(forgotten_waiter(fut, i, log));
            held.push_back({i, std::move(fut), std::move(t)});
        }
    }
    std::int64_t collected = 0;
    for (std::int64_t r = 0; r < c.get("rounds"); ++r) {
        co_await sleep(0);
        collected += static_cast<std::int64_t>(gc_point("round"));
    }
    for (auto& h : held) h.fut.set_result(h.index);
    for (auto& h : held) co_await h.task;
    // A waiter takes up to three steps to suspend on its future; main's fourth sleep puts its
    // gc_point an iteration after the last of them, whatever the order inside an iteration.
    for (int k = 0; k < 4; ++k) co_await sleep(0);
    collected += static_cast<std::int64_t>(gc_point("last"));
    check(collected == abandoned, "exactly the abandoned waiters are collected");
    check(log->closed == abandoned && log->reports == abandoned, "each collected waiter is closed and reported once");
    check(log->woke == static_cast<std::int64_t>(held.size()), "every waiter someone holds wakes");
}

}  // namespace

void register_diagnostic_families(Registry& reg) {
    reg.add({"dropped_coroutines", "unawaited", "coroutines dropped unawaited warn once each and never run",
             {{"count", 0, 12, 6, "coroutine objects made"}, {"await_every", 1, 4, 3, "every k-th is awaited"}},
             [](const Context& c) { return dropped_coroutines(c); }});
    reg.add({"fire_and_forget", "never_retrieved", "failed tasks nobody retrieved are reported once, others never",
             {{"tasks", 1, 8, 4, "tasks"},
              {"failing", 0, 255, 5, "bitmask: tasks that raise"},
              {"retrieved", 0, 255, 1, "bitmask: tasks whose outcome main awaits"}},
             [](const Context& c) { return fire_and_forget(c); }});
    reg.add({"abandoned_generators", "asyncgen_cleanup",
             "async generators consumed partly, closed or abandoned; each cleanup runs once",
             {{"generators", 1, 6, 3, "generators"}, {"items", 0, 6, 3, "items each yields"},
              {"closed", 0, 63, 1, "bitmask: users that aclose() explicitly"}},
             [](const Context& c) { return abandoned_generators(c); }});
    reg.add({"forgotten_waiters", "destroyed_pending",
             "tasks awaiting futures only they hold are collected at gc points and reported once; held ones wake",
             {{"tasks", 1, 8, 4, "tasks"},
              {"abandoned", 0, 255, 5, "bitmask: tasks whose future only they hold"},
              {"rounds", 0, 3, 2, "gc points while they settle"}},
             [](const Context& c) { return forgotten_waiters(c); }});
}

}  // namespace corosim::scenarios
