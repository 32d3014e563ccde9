// junit.hpp: JUnit XML for CI systems (issue 12), written through pugixml: one testcase per
// scenario that passed, one failing testcase per scenario and failure signature, whose
// <failure> carries the outcome as its type, the message, and the repro lines of the first and
// the shrunk run. Any message bytes give a well-formed document (see clean_text).
#pragma once

#include <cstdint>
#include <string>

#include "corosim/checker/store.hpp"

namespace corosim::reports {

/// The JUnit XML document for `campaign` (0: every run) of the store at `db_path`; `seconds`
/// is the suite's wall time when known (0: unknown, no time attribute).
std::string junit_xml(checker::Store& store, const std::string& db_path, std::int64_t campaign, double seconds = 0);

}  // namespace corosim::reports
