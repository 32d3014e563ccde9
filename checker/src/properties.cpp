#include "corosim/checker/properties.hpp"

namespace corosim::checker {

std::string check_schedules(const scenarios::Scenario& scenario, std::uint64_t runs,
                            const std::vector<std::string>& policies) {
    for (const std::string& policy : policies) {
        for (std::uint64_t seed = 0; seed < runs; ++seed) {
            const RunSpec spec = default_spec(scenario, policy, seed);
            const RunResult r = run_spec(scenario, spec);
            if (r.outcome != Outcome::kPass) {
                return std::string(outcome_name(r.outcome)) + ": " + r.message + " (reproduce: corosim run " +
                       scenario.name + " --policy " + policy + " --seed " + std::to_string(seed) + " --trace)";
            }
            if (policy == "fifo") break;  // the seed does not change a FIFO run
        }
    }
    return "";
}

rc::Gen<RunSpec> gen_run_spec(const scenarios::Scenario& scenario) {
    return rc::gen::exec([&scenario] {
        RunSpec spec = default_spec(scenario);
        if (!scenario.fifo_only) {
            for (const auto& p : scenario.params) {
                spec.params[p.name] = *rc::gen::inRange<std::int64_t>(p.min, p.max + 1);
            }
            spec.policy = *rc::gen::element<std::string>("fifo", "random", "pct:3");
            spec.seed = *rc::gen::arbitrary<std::uint64_t>();
        }
        return spec;
    });
}

}  // namespace corosim::checker
