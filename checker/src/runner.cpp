#include "corosim/checker/runner.hpp"

#include <algorithm>

#include "corosim/scheduler/policies.hpp"

#ifndef COROSIM_VERSION
#define COROSIM_VERSION "0.0.0"
#endif

namespace corosim::checker {

const char* harness_version() noexcept { return COROSIM_VERSION; }

RunSpec default_spec(const scenarios::Scenario& scenario, std::string policy, std::uint64_t seed) {
    RunSpec spec;
    spec.scenario = scenario.name;
    spec.params = scenario.defaults();
    spec.policy = std::move(policy);
    spec.seed = seed;
    return spec;
}

RunResult run_spec(const scenarios::Scenario& scenario, const RunSpec& spec) {
    const sched::PolicySpec policy_spec = sched::parse_policy(spec.policy);
    std::unique_ptr<Policy> policy = sched::make_policy(policy_spec, spec.seed, spec.choices);
    LoopOptions options;
    options.policy = policy.get();
    options.trace_level = spec.level;
    options.compat = Compat::for_version(spec.python);
    options.max_steps = scenario.max_steps != 0 ? std::min(scenario.max_steps, spec.max_steps) : spec.max_steps;
    scenarios::Context ctx{spec.params, spec.seed};
    RunResult result = run([&scenario, &ctx] { return scenario.make(ctx); }, options);
    if (scenario.expect != Outcome::kPass && result.outcome == scenario.expect) {
        result.message = std::string("expected ") + outcome_name(scenario.expect) + ": " + result.message;
        result.outcome = Outcome::kPass;
    }
    return result;
}

}  // namespace corosim::checker
