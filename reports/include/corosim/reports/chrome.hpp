// chrome.hpp: a stored run as Chrome trace-event JSON (issue 12), which Perfetto's UI and
// chrome://tracing open: each task is a thread, each step of a task a slice (B/E pair), trace
// lines, cancellations and non-FIFO scheduler choices instant events. Many steps share one
// virtual instant, so the time axis is the loop's event order (one microsecond per event); each
// event's virtual time is in its args.
#pragma once

#include <string>
#include <vector>

#include "corosim/checker/store.hpp"

namespace corosim::reports {

/// The trace-event JSON document of `run` with its full-level `events`.
std::string chrome_trace(const checker::StoredRun& run, const std::vector<checker::StoredEvent>& events);

}  // namespace corosim::reports
