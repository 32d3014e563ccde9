// shrink.hpp: minimising a failing run (DESIGN 5) without changing which bug it shows: a
// candidate counts only when it fails with the original's failure signature (signature.hpp).
// Parameters shrink first, each through RapidCheck's integral shrinker towards its minimum, then
// in pairs by the same amount (so a relation between two parameters survives); then the schedule
// shrinks by delta debugging (ddmin) over the recorded non-default choices and by smaller values
// of those that remain, each candidate re-run under the replay policy, so the minimal run has no
// more non-FIFO choices than the original and replays exactly.
#pragma once

#include <cstddef>
#include <optional>

#include "corosim/checker/runner.hpp"
#include "corosim/checker/wire.hpp"
#include "corosim/scenarios/scenario.hpp"

namespace corosim::checker {

/// The minimal failing run found.
struct ShrinkResult {
    RunSpec spec;       ///< policy "replay" with its choices, or the original policy
    RunReport report;   ///< with events
    std::size_t runs = 0;  ///< candidate runs spent
};

/// Shrinks `failing` (whose run did not pass) within `budget` candidate runs. In-process: call
/// it inside run_child when the scenario might crash.
ShrinkResult shrink(const scenarios::Scenario& scenario, const RunSpec& failing, std::size_t budget = 400);

/// The number of choices that differ from FIFO's answer.
std::size_t non_default_choices(const std::vector<std::uint32_t>& choices);

}  // namespace corosim::checker
