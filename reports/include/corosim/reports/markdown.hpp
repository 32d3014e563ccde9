// markdown.hpp: the one-screen Markdown summary of a store (or one campaign in it); it fits a
// CI job summary (GitHub's $GITHUB_STEP_SUMMARY).
#pragma once

#include <cstdint>
#include <string>

#include "corosim/checker/store.hpp"

namespace corosim::reports {

/// Per-scenario table, then one section per distinct failure (scenario and signature): how
/// often it happened, its repro line, its replay command and its shrunk run's repro line.
std::string markdown_summary(checker::Store& store, const std::string& db_path, std::int64_t campaign = 0);

}  // namespace corosim::reports
