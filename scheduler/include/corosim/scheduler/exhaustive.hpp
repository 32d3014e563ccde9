// exhaustive.hpp: bounded exhaustive exploration (DESIGN 3, issue 10). A stateless depth-first
// search over the ready-batch choices, as CHESS does it: each run replays the current path, then
// extends it with the first allowed option at every new choice point; after the run the deepest
// choice point with an untried option moves to it. A preemption bound K admits only schedules with
// at most K non-FIFO choices. The optional reduction is sleep sets (Godefroid 1996) over an
// independence relation the runtime can prove: two callbacks that run no scenario code (sleep()'s
// timers, each completing its own future) commute; anything that runs scenario code may touch
// state the runtime cannot see, so it is dependent on everything. Only kRunnable choices are
// explored (no jitter, no faults).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "corosim/policy.hpp"

namespace corosim::sched {

/// The search tree of one exploration; hands out a policy per run.
class ExhaustiveSearch {
public:
    /// `bound`: at most this many non-FIFO choices per schedule; `reduction`: sleep sets.
    ExhaustiveSearch(std::uint32_t bound, bool reduction) : bound_(bound), reduction_(reduction) {}

    /// The policy for the next run: it replays the current path and extends it. Valid until
    /// advance(); one at a time.
    std::unique_ptr<Policy> policy();
    /// After a run: true when that run was a new schedule (not cut short by the reduction).
    bool last_run_counted() const noexcept { return !redundant_; }
    /// Moves to the next unexplored schedule; false when the search is complete.
    bool advance();
    /// The choice sequence of the current path (what `run --choices` replays).
    std::vector<std::uint32_t> path() const;
    /// Options skipped because the reduction proved them equivalent to explored ones, plus runs
    /// that ended up redundant.
    std::uint64_t pruned() const noexcept { return pruned_; }
    /// True when the last run's choice points disagreed with the recorded path (a scenario that
    /// is not deterministic under replay).
    bool diverged() const noexcept { return diverged_; }

private:
    friend class ExhaustivePolicy;
    struct Node {
        std::uint32_t n = 0;
        std::uint32_t chosen = 0;
        std::uint32_t preemptions_before = 0;  // non-FIFO choices on the path above this node
        std::vector<std::uint64_t> keys;       // internal_key of each option (0: runs scenario code)
        std::vector<std::uint64_t> sleep;      // keys of options proven redundant here
    };
    bool allowed(const Node& node, std::uint32_t option) const;
    std::uint32_t on_choice(const ChoicePoint& point);

    std::uint32_t bound_;
    bool reduction_;
    std::vector<Node> nodes_;
    std::size_t cursor_ = 0;  // choice points seen by the current run
    std::uint64_t pruned_ = 0;
    bool redundant_ = false;
    bool diverged_ = false;
};

}  // namespace corosim::sched
