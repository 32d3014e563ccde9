// runner.hpp: one run of a scenario under a policy and seed: the unit the CLI, the fuzzer and
// replay all share. A run is a pure function of (scenario, params, policy, seed, Python version),
// or of (scenario, params, choices, Python version) under the replay policy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "corosim/run.hpp"
#include "corosim/scenarios/scenario.hpp"

namespace corosim::checker {

/// What to run.
struct RunSpec {
    std::string scenario;                   ///< registered scenario name
    scenarios::Params params;               ///< complete (defaults filled in)
    std::string policy = "fifo";            ///< fifo | random | pct[:D] | replay
    std::uint64_t seed = 0;                 ///< the policy's seed (ignored by fifo and replay)
    std::vector<std::uint32_t> choices;     ///< forced choices for the replay policy
    TraceLevel level = TraceLevel::kSummary;  ///< how much of the trace to keep
    std::uint64_t max_steps = 5'000'000;    ///< livelock budget
    PythonVersion python = PythonVersion::k3_12;  ///< whose asyncio differences the run reproduces (Compat)
};

/// A spec for `scenario` at its default parameters.
RunSpec default_spec(const scenarios::Scenario& scenario, std::string policy = "fifo", std::uint64_t seed = 0);

/// Runs `spec` of `scenario` (whose name must match). Never throws for scenario behaviour: a
/// scenario's escaping exception, deadlock or livelock is an outcome.
RunResult run_spec(const scenarios::Scenario& scenario, const RunSpec& spec);

/// The harness version recorded with every stored run.
const char* harness_version() noexcept;

}  // namespace corosim::checker
