// replay.hpp: re-run a stored run and compare its trace with the stored one event by event
// (DESIGN 5). The re-run uses the stored choice sequence, so it reproduces the schedule even
// when the policy's own randomness would not. Every replay runs in a child process under the
// same limits as a campaign's runs (isolation.hpp), so a stored hang, crash or oom is bounded.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "corosim/checker/isolation.hpp"
#include "corosim/checker/store.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::checker {

/// What a replay found.
struct ReplayReport {
    bool reproduced = false;            ///< same hash and verdict (or the same crash) as stored
    bool compared_events = false;       ///< false: only the hash could be compared
    std::string new_hash;               ///< the rerun's trace hash, 16 hex digits
    std::optional<std::size_t> divergence;  ///< index of the first differing event
    std::vector<std::string> context;   ///< rendered lines around the divergence
    bool other_version = false;         ///< the stored run came from another harness version
    bool crashed = false;               ///< a stored crash, hang or oom ended the same way again
    std::string ended;                  ///< "": the new run ended normally; else crash, hang or oom
    std::string why;                    ///< ... and how, in one line
    RunReport result;                   ///< the new run (when it ended normally), with its events
    std::string trace_text;             ///< its trace (internal events too when `full_text`)
};

/// Refuses a stored run that cannot be replayed as stored: parameters missing, unknown or out
/// of range for `scenario`, or an unknown policy. Throws std::invalid_argument naming them.
void validate_stored(const scenarios::Scenario& scenario, const StoredRun& stored);

/// The spec that re-runs `stored`: same scenario and params, its choices forced.
RunSpec replay_spec(const StoredRun& stored);

/// Re-runs `stored` (events from the store, possibly empty) in a child under `limits` and
/// compares trace, hash, outcome and message. A stored choice the re-run could not take (out of
/// range: the policy would clamp it) throws std::invalid_argument naming it.
ReplayReport replay(const scenarios::Scenario& scenario, const StoredRun& stored,
                    const std::vector<StoredEvent>& events, const ChildLimits& limits = {},
                    bool full_text = false);

/// One stored event as a text line (for divergence reports).
std::string describe(const StoredEvent& e);

}  // namespace corosim::checker
