// junit.hpp: JUnit XML for CI systems: one testcase per scenario of a campaign, failing with
// every failed run's message and replay command.
#pragma once

#include <cstdint>
#include <string>

#include "corosim/checker/store.hpp"

namespace corosim::reports {

/// The JUnit XML document for `campaign` (0: every run) of the store at `db_path`.
std::string junit_xml(checker::Store& store, const std::string& db_path, std::int64_t campaign);

}  // namespace corosim::reports
