#include "corosim/checker/campaign.hpp"

#include <rapidcheck.h>

namespace corosim::checker {

namespace {
// Parameters for run `index`: the first run of each policy uses the defaults (the
// conformance configuration); later runs draw every parameter with RapidCheck's generators,
// growing the size as the campaign goes, like rc::check does.
scenarios::Params draw_params(const scenarios::Scenario& scenario, std::uint64_t seed, std::uint64_t index,
                              std::uint64_t policies) {
    scenarios::Params params = scenario.defaults();
    if (index < policies) return params;
    const rc::Random random(seed);
    const int size = static_cast<int>(std::min<std::uint64_t>(index, 100));
    for (const auto& spec : scenario.params) {
        const auto value = rc::gen::inRange<std::int64_t>(spec.min, spec.max + 1)(random, size).value();
        params[spec.name] = value;
    }
    return params;
}
}  // namespace

RunSpec campaign_spec(const scenarios::Scenario& scenario, const CampaignOptions& options, std::uint64_t index) {
    RunSpec spec;
    spec.scenario = scenario.name;
    spec.seed = options.seed_base + index;
    spec.policy = scenario.fifo_only ? "fifo" : options.policies[index % options.policies.size()];
    spec.params = scenario.fifo_only ? scenario.defaults() : draw_params(scenario, spec.seed, index, options.policies.size());
    spec.level = options.record_all ? TraceLevel::kFull : TraceLevel::kOff;
    return spec;
}

CampaignResult run_campaign(Store& store, const std::string& command, const CampaignOptions& options,
                            const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
    CampaignResult result;
    result.campaign_id = store.begin_campaign(command);
    std::uint64_t total = 0;
    for (const scenarios::Scenario* s : options.scenarios) total += s->fifo_only ? 1 : options.runs;
    for (const scenarios::Scenario* scenario : options.scenarios) {
        store.begin();
        // A conformance twin has one schedule worth running (Scenario::fifo_only).
        const std::uint64_t runs = scenario->fifo_only ? 1 : options.runs;
        for (std::uint64_t i = 0; i < runs; ++i) {
            RunSpec spec = campaign_spec(*scenario, options, i);
            RunResult run = run_spec(*scenario, spec);
            if (run.outcome != Outcome::kPass && spec.level != TraceLevel::kFull) {
                // Failures always keep their events: re-run the same spec with the full trace.
                spec.level = TraceLevel::kFull;
                run = run_spec(*scenario, spec);
            }
            const bool keep_events = spec.level == TraceLevel::kFull;
            const std::int64_t id = store.add_run(result.campaign_id, spec, run, keep_events);
            if (run.outcome != Outcome::kPass) {
                result.failures.push_back({id, scenario->name, outcome_name(run.outcome), run.message});
            }
            ++result.runs;
            if (progress) progress(result.runs, total);
        }
        store.commit();
    }
    return result;
}

}  // namespace corosim::checker
