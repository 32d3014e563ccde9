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

#include <ostream>
#include <string>
#include <vector>

#include "corosim/checker/repro.hpp"
#include "corosim/checker/runner.hpp"
#include "corosim/scenarios/scenario.hpp"

namespace corosim::checker {

/// Runs `scenario` in-process as a fuzz campaign of `runs` runs per policy would (seeds from 0,
/// the first run of each policy at the default parameters, later ones at parameters drawn from
/// their ranges); returns "" when every run passed, else the first failure's outcome, message,
/// the repro line (`PROGRAM run ...`, PROGRAM being program_name(): the placeholder YOUR_SIM,
/// explained on the next line, unless set_program_name named the scenario CLI) and the C++ call
/// that reproduces it in-process (`corosim::checker::run_spec(scenario, RunSpec{...})`).
std::string check_schedules(const scenarios::Scenario& scenario, std::uint64_t runs = 100,
                            const std::vector<std::string>& policies = {"fifo", "random", "pct:3"});

/// A RapidCheck generator of specs for `scenario`: any parameters within their ranges, any of
/// fifo/random/pct, any seed. Shrinks towards small parameters, fifo and seed 0.
rc::Gen<RunSpec> gen_run_spec(const scenarios::Scenario& scenario);

/// Prints `spec` as the C++ expression that builds it, then the repro line that runs it
/// (`RunSpec{.scenario = "S", ...} (CLI: PROGRAM run S --seed N ...)`, with the same placeholder
/// note as check_schedules): what RapidCheck and GoogleTest show for a failing case.
std::ostream& operator<<(std::ostream& os, const RunSpec& spec);

}  // namespace corosim::checker
