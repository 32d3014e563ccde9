// replay.hpp: re-run a stored run and compare its trace with the stored one event by event
// (DESIGN 5). The re-run uses the stored choice sequence, so it reproduces the schedule even
// when the policy's own randomness would not.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "corosim/checker/store.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::checker {

/// What a replay found.
struct ReplayReport {
    bool reproduced = false;
    bool compared_events = false;       ///< false: only the hash could be compared
    std::string new_hash;
    std::optional<std::size_t> divergence;  ///< index of the first differing event
    std::vector<std::string> context;   ///< rendered lines around the divergence
    bool other_version = false;         ///< the stored run came from another harness version
    bool crashed = false;               ///< a stored crash crashed again (run in a child process)
    RunResult result;                   ///< the new run
};

/// The spec that re-runs `stored`: same scenario and params, its choices forced.
RunSpec replay_spec(const StoredRun& stored);

/// Re-runs `stored` (events from the store, possibly empty) and compares.
ReplayReport replay(const scenarios::Scenario& scenario, const StoredRun& stored,
                    const std::vector<StoredEvent>& events);

/// One stored event as a text line (for divergence reports).
std::string describe(const StoredEvent& e);

}  // namespace corosim::checker
