// cancel_in_finally.cpp: the `cancel_in_finally` fuzz family. Workers run a body inside
// try_finally whose cleanup awaits; main cancels them (once or twice) at a parameterised time.
// Invariants hold for every schedule: each cleanup starts exactly once and either completes or
// is interrupted by a CancelledError it records; an interrupted cleanup ends its task cancelled.
#include <memory>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

struct WorkerLog {
    int cleanup_entered = 0;
    int cleanup_completed = 0;
    int cleanup_interrupted = 0;
};

struct Shared {
    std::vector<WorkerLog> logs;
};

Coro<void> cif_body(std::int64_t i, bool fails) {
    co_await sleep(millis(500 + 100 * i));
    if (fails) throw ValueError("body " + std::to_string(i));
}

Coro<void> cif_note_interrupt(std::exception_ptr e, std::int64_t i, std::shared_ptr<Shared> s) {
    ++s->logs[static_cast<std::size_t>(i)].cleanup_interrupted;
    trace("cleanup.interrupted", {{"worker", i}, {"exc", e}});
    std::rethrow_exception(e);
}

Coro<void> cif_cleanup_steps(std::int64_t i, std::int64_t awaits, std::shared_ptr<Shared> s) {
    for (std::int64_t k = 0; k < awaits; ++k) co_await sleep(millis(300));
    ++s->logs[static_cast<std::size_t>(i)].cleanup_completed;
    trace("cleanup.done", {{"worker", i}});
}

Coro<void> cif_cleanup(std::int64_t i, std::int64_t awaits, std::shared_ptr<Shared> s) {
    ++s->logs[static_cast<std::size_t>(i)].cleanup_entered;
    co_await try_except<CancelledError>(cif_cleanup_steps(i, awaits, s), &cif_note_interrupt, i, s);
}

Coro<void> cif_worker(std::int64_t i, bool fails, std::int64_t awaits, std::shared_ptr<Shared> s) {
    co_await try_finally(cif_body(i, fails), &cif_cleanup, i, awaits, s);
}

Coro<void> cancel_in_finally(Context c) {
    const auto n = c.get("workers");
    const auto awaits = c.get("cleanup_awaits");
    auto s = std::make_shared<Shared>();
    s->logs.resize(static_cast<std::size_t>(n));
    std::vector<Task<void>> tasks;
    for (std::int64_t i = 0; i < n; ++i) {
        tasks.push_back(create_task(cif_worker(i, ((c.get("failing") >> i) & 1) != 0, awaits, s)));
    }
    co_await sleep(millis(c.get("cancel_at_ms")));
    for (auto& t : tasks) t.cancel("first");
    if (c.get("second_cancel_ms") >= 0) {
        co_await sleep(millis(c.get("second_cancel_ms")));
        for (auto& t : tasks) t.cancel("second");
    }
    Future<std::vector<Settled<void>>> all = gather_settled(tasks);
    const std::vector<Settled<void>> outcomes = co_await all;
    for (std::int64_t i = 0; i < n; ++i) {
        const WorkerLog& log = s->logs[static_cast<std::size_t>(i)];
        const Task<void>& t = tasks[static_cast<std::size_t>(i)];
        trace("worker", {{"i", i}, {"outcome", outcomes[static_cast<std::size_t>(i)]}});
        check(log.cleanup_entered <= 1, "a cleanup runs at most once");
        check(log.cleanup_entered == 0 || log.cleanup_completed + log.cleanup_interrupted == 1,
              "a started cleanup completes or records the cancellation that interrupted it");
        check(log.cleanup_interrupted == 0 || t.cancelled(), "an interrupted cleanup ends its task cancelled");
        check(log.cleanup_entered == 1 || t.cancelled(), "only a task cancelled before its first step skips its cleanup");
    }
}

}  // namespace

void register_cancel_in_finally(Registry& reg) {
    reg.add({"cancel_in_finally", "cancel_in_finally",
             "workers cancelled while their try_finally cleanup awaits; each cleanup runs exactly once",
             {{"workers", 1, 6, 3, "worker tasks"},
              {"cleanup_awaits", 0, 3, 2, "sleeps in each cleanup"},
              {"failing", 0, 63, 2, "bitmask: workers whose body raises ValueError"},
              {"cancel_at_ms", 0, 2000, 700, "when main cancels every worker"},
              {"second_cancel_ms", -1, 1000, 200, "delay of a second cancel (-1: none)"}},
             [](const Context& c) { return cancel_in_finally(c); }});
}

}  // namespace corosim::scenarios
