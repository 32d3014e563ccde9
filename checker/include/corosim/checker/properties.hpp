// properties.hpp: checking a scenario over many schedules from a user's own tests, with
// GoogleTest and RapidCheck:
//
//   TEST(MyScenario, HoldsOverSchedules) { EXPECT_EQ(corosim::checker::check_schedules(my_scenario()), ""); }
//   RC_GTEST_PROP(MyScenario, HoldsForAnyParams, ()) {
//       const auto spec = *corosim::checker::gen_run_spec(my_scenario());
//       RC_ASSERT(corosim::checker::run_spec(my_scenario(), spec).outcome == corosim::Outcome::kPass);
//   }
#pragma once

#include <rapidcheck.h>

#include <string>
#include <vector>

#include "corosim/checker/runner.hpp"
#include "corosim/scenarios/scenario.hpp"

namespace corosim::checker {

/// Runs `scenario` at its default parameters under seeds 0..runs-1 of each policy (in-process);
/// returns "" when every run passed, else a description of the first failure with the
/// `corosim run` command that reproduces it.
std::string check_schedules(const scenarios::Scenario& scenario, std::uint64_t runs = 100,
                            const std::vector<std::string>& policies = {"fifo", "random", "pct:3"});

/// A RapidCheck generator of specs for `scenario`: any parameters within their ranges, any of
/// fifo/random/pct, any seed. Shrinks towards small parameters, fifo and seed 0.
rc::Gen<RunSpec> gen_run_spec(const scenarios::Scenario& scenario);

}  // namespace corosim::checker
