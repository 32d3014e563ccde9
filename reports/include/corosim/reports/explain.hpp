// explain.hpp: a run's non-FIFO choices in task terms, for every view of a failure (replay's
// text, the HTML report, the Chrome trace).
#pragma once

#include <string>
#include <vector>

#include "corosim/checker/store.hpp"

namespace corosim::reports {

/// One sentence per non-FIFO choice of a stored run, in order: "at t=0.001 s, Task-2 ran
/// before Task-1 (FIFO order runs Task-1 first)", "a timer fired late (jitter 3 of 7)", "fault
/// point `drop_reply` fired (buggify)", "a network message took longer (delay 2 of 8 ...)".
/// Empty when FIFO order alone produced the run.
std::vector<std::string> explain_choices(const std::vector<checker::StoredEvent>& events);

}  // namespace corosim::reports
