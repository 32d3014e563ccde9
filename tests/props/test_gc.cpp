// Property of the cyclic collection (sim/gc.hpp) over any schedule: a gc_point collects exactly
// the tasks nothing can wake any more, never one that something can still wake.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scheduler/policies.hpp"

namespace corosim {
namespace {

constexpr int kMaxTasks = 6;
// Held in the frame itself (a coroutine's parameters live in its frame), where the collector can
// place them; a std::vector's buffer would be a heap object it conservatively cannot.
using Held = std::array<std::optional<Future<int>>, kMaxTasks>;

struct Tally {
    int woke = 0;
    int closed = 0;
};

// Awaits its own future; once woken, completes the futures it holds (waking their waiters).
Coro<void> waiter(Future<int> own, Held held, std::shared_ptr<Tally> tally) {
    try {
        (void)co_await own;
    } catch (const GeneratorExit&) {
        ++tally->closed;
        throw;
    }
    ++tally->woke;
    for (auto& f : held) {
        if (f) f->set_result(1);
    }
}

// holder[i] is who holds task i's future: -1 for main, else task holder[i]'s frame.
Coro<void> graph(std::vector<int> holder, std::shared_ptr<Tally> tally, std::size_t* collected) {
    const int n = static_cast<int>(holder.size());
    std::vector<Future<int>> futs(static_cast<std::size_t>(n));
    std::vector<Held> held(static_cast<std::size_t>(n));
    std::vector<Future<int>> mine;
    for (int i = 0; i < n; ++i) {
        if (holder[i] < 0) {
            mine.push_back(futs[i]);
        } else {
            held[holder[i]][i] = futs[i];
        }
    }
    for (int i = 0; i < n; ++i) {
        Task<void> t = create_task(waiter(std::move(futs[i]), std::move(held[i]), tally));
    }
    futs.clear();
    held.clear();
    for (int k = 0; k < 2; ++k) co_await sleep(0);  // every waiter reaches its await
    *collected = gc_point("graph");
    for (auto& f : mine) f.set_result(1);
    for (int k = 0; k < n + 2; ++k) co_await sleep(0);  // wake-ups travel down the holder chains
}

RC_GTEST_PROP(GcProps, CollectsExactlyTheTasksNothingCanWake, ()) {
    const int n = *rc::gen::inRange(1, kMaxTasks + 1);
    std::vector<int> holder;
    for (int i = 0; i < n; ++i) holder.push_back(*rc::gen::inRange(-1, n));
    // Reachable: held by main, or by a reachable task (a holder cycle is garbage).
    std::vector<bool> reachable(static_cast<std::size_t>(n), false);
    for (bool changed = true; changed;) {
        changed = false;
        for (int i = 0; i < n; ++i) {
            if (!reachable[i] && (holder[i] < 0 || reachable[holder[i]])) changed = reachable[i] = true;
        }
    }
    const int live = static_cast<int>(std::count(reachable.begin(), reachable.end(), true));

    const std::string spec = *rc::gen::element<std::string>("fifo", "random", "pct:3");
    auto policy = sched::make_policy(sched::parse_policy(spec), *rc::gen::arbitrary<std::uint64_t>());
    LoopOptions options;
    options.policy = policy.get();
    options.trace_level = TraceLevel::kSummary;
    auto tally = std::make_shared<Tally>();
    std::size_t collected = 0;
    const RunResult res = run([&] { return graph(holder, tally, &collected); }, options);
    RC_LOG() << res.message << "\n";
    RC_ASSERT(res.outcome == Outcome::kPass);
    RC_ASSERT(collected == static_cast<std::size_t>(n - live));
    RC_ASSERT(tally->closed == n - live);
    RC_ASSERT(tally->woke == live);
    RC_ASSERT(res.frames_created == res.frames_destroyed);
}

}  // namespace
}  // namespace corosim
