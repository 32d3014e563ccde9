#include "corosim/checker/properties.hpp"

#include "corosim/checker/campaign.hpp"
#include "corosim/checker/repro.hpp"

namespace corosim::checker {

namespace {
// Outside a scenario CLI (a user's GoogleTest binary) argv[0] cannot run the scenario, so the
// line names a placeholder and says which executable it stands for.
std::string unknown_program_note(const RunSpec& spec) {
    return std::string(kUnknownProgram) + " is your executable that links corosim::main and registers '" + spec.scenario +
           "' (corosim::checker::set_program_name names it)";
}
}  // namespace

std::string check_schedules(const scenarios::Scenario& scenario, std::uint64_t runs,
                            const std::vector<std::string>& policies) {
    CampaignOptions options;
    options.seed_base = 0;
    options.policies = policies;
    // A conformance twin has one schedule worth running, as in a campaign.
    const std::uint64_t total = scenario.fifo_only ? 1 : runs * policies.size();
    for (std::uint64_t i = 0; i < total; ++i) {
        const RunSpec spec = campaign_spec(scenario, options, i);
        const RunResult r = run_spec(scenario, spec);
        if (r.outcome != Outcome::kPass) {
            std::string out = std::string(outcome_name(r.outcome)) + ": " + r.message + "\n  reproduce: " + repro_command(spec);
            if (!program_name_known()) out += "\n    (" + unknown_program_note(spec) + ")";
            return out + "\n  in C++: corosim::checker::run_spec(scenario, " + run_spec_code(spec) + ")";
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

std::ostream& operator<<(std::ostream& os, const RunSpec& spec) {
    os << run_spec_code(spec) << " (CLI: " << repro_command(spec);
    if (!program_name_known()) os << "; " << unknown_program_note(spec);
    return os << ")";
}

}  // namespace corosim::checker
