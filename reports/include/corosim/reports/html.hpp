// html.hpp: the self-contained HTML report of a store (issue 12): one file, no network, that a
// newcomer reads without the code. A summary per scenario; then each distinct failure (scenario
// and signature) with its message, count and repro lines, and a swimlane per task for its
// shrunk run beside its first run: when each task ran (steps), what it awaited, cancellations
// requested and delivered, exceptions, check() failures, async-generator finalisation,
// warnings, and the scheduler's non-FIFO (decisive) choices, each explained in task terms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "corosim/checker/store.hpp"

namespace corosim::reports {

/// The HTML document for `campaign` (0: every run) of the store at `db_path`.
std::string html_report(checker::Store& store, const std::string& db_path, std::int64_t campaign = 0);

/// One run's swimlane as an inline SVG element (`<svg class="swimlane" ...>`), for `events`
/// recorded at the full level.
std::string swimlane_svg(const checker::StoredRun& run, const std::vector<checker::StoredEvent>& events);

}  // namespace corosim::reports
