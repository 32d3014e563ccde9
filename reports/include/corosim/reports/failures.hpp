// failures.hpp: a store's failures grouped by scenario and failure signature (issue 12), the
// unit every report shows: one bug, however many runs hit it, with its first run, its count,
// and the shrunk run the campaign linked to it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "corosim/checker/store.hpp"

namespace corosim::reports {

/// The failing runs of one scenario that share a signature.
struct FailureGroup {
    std::string scenario;               ///< the scenario's name
    std::string signature;              ///< checker::failure_signature of the first run
    checker::StoredRun first;           ///< the first failing run (lowest id)
    std::uint64_t occurrences = 0;      ///< failing runs (shrunk ones not counted)
    std::optional<checker::StoredRun> shrunk;  ///< the minimal run stored for one of them
};

/// The failures of `campaign` (0: all), first occurrence first. Shrunk runs (parent != 0) are
/// attached to their original's group instead of counted.
std::vector<FailureGroup> group_failures(checker::Store& store, std::int64_t campaign = 0);

/// `text` made safe for XML/HTML/Markdown output: invalid UTF-8 replaced by U+FFFD, control
/// characters other than tab and newline dropped, and cut to at most `max_bytes` (on a
/// character boundary, with a note saying how much was cut).
std::string clean_text(std::string_view text, std::size_t max_bytes = 4096);

}  // namespace corosim::reports
