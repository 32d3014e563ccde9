// markdown.hpp: the one-screen Markdown summary of a store (or one campaign in it).
#pragma once

#include <cstdint>
#include <string>

#include "corosim/checker/store.hpp"

namespace corosim::reports {

/// Per-scenario table and one line per failure with its replay command.
std::string markdown_summary(checker::Store& store, const std::string& db_path, std::int64_t campaign = 0);

/// The command that replays run `id` of the store at `db_path`.
std::string replay_command(const std::string& db_path, std::int64_t id);

}  // namespace corosim::reports
