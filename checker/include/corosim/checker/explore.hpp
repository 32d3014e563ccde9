// explore.hpp: `corosim explore` (issue 10): every schedule of a scenario with at most K non-FIFO
// choices, depth first (scheduler/exhaustive.hpp), at fixed parameters. Either all of them pass,
// and a small scenario is proven free of ordering bugs up to the bound, or the first failure is
// returned as a replayable spec.
#pragma once

#include <cstdint>
#include <optional>

#include "corosim/checker/runner.hpp"
#include "corosim/scenarios/scenario.hpp"

namespace corosim::checker {

/// How far to explore.
struct ExploreOptions {
    std::uint32_t preemptions = 2;          ///< K: non-FIFO choices per schedule
    std::uint64_t max_schedules = 100'000;  ///< stop (incomplete) after this many
    bool reduction = true;                  ///< sleep sets over commuting runtime callbacks
};

/// What an exploration found.
struct ExploreResult {
    std::uint64_t schedules = 0;  ///< distinct schedules run
    std::uint64_t pruned = 0;     ///< skipped by the reduction
    bool complete = false;        ///< every schedule within the bound was run (or pruned)
    bool diverged = false;        ///< a replayed prefix met different choice points: not deterministic
    /// The first failing schedule, as a replay spec (policy "replay", its choices), and its run.
    std::optional<RunSpec> failure;
    RunResult failing_run;  ///< the first failing schedule's result (default when none failed)
};

/// Explores `base` (its scenario and params; policy and seed are ignored).
ExploreResult explore(const scenarios::Scenario& scenario, const RunSpec& base, const ExploreOptions& options);

}  // namespace corosim::checker
