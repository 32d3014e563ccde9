#include "corosim/checker/campaign.hpp"

#include <rapidcheck.h>

#include <algorithm>

#include "corosim/checker/isolation.hpp"
#include "corosim/checker/shrink.hpp"
#include "corosim/checker/wire.hpp"

namespace corosim::checker {

namespace {
// Parameters for run `index`: the first run of each policy uses the defaults (the
// conformance configuration); later runs draw every parameter with RapidCheck's generators
// from the run's seed, growing the size as the campaign goes, like rc::check does.
scenarios::Params draw_params(const scenarios::Scenario& scenario, std::uint64_t seed, std::uint64_t index,
                              std::uint64_t policies) {
    scenarios::Params params = scenario.defaults();
    if (index < policies) return params;
    const rc::Random random(seed);
    const int size = static_cast<int>(std::min<std::uint64_t>(index, 100));
    for (const auto& spec : scenario.params) {
        params[spec.name] = rc::gen::inRange<std::int64_t>(spec.min, spec.max + 1)(random, size).value();
    }
    return params;
}

constexpr std::uint64_t kRound = 2048;  // runs per scenario per round (one store transaction)

std::optional<ShrinkResult> shrink_isolated(const scenarios::Scenario& scenario, const RunSpec& spec,
                                            const CampaignOptions& options) {
    const auto bytes = run_in_child(
        [&] {
            const ShrinkResult r = shrink(scenario, spec, options.shrink_budget);
            std::string out;
            encode_spec(r.spec, out);
            encode_report(r.report, out);
            return out;
        },
        options.run_timeout * 10);
    if (!bytes) return std::nullopt;
    std::size_t pos = 0;
    ShrinkResult r;
    r.spec = decode_spec(*bytes, pos);
    r.report = decode_report(*bytes, pos);
    return r;
}
}  // namespace

RunSpec campaign_spec(const scenarios::Scenario& scenario, const CampaignOptions& options, std::uint64_t index) {
    RunSpec spec;
    spec.scenario = scenario.name;
    spec.seed = options.seed_base + index;
    spec.policy = scenario.fifo_only ? "fifo" : options.policies[index % options.policies.size()];
    spec.params =
        scenario.fifo_only ? scenario.defaults() : draw_params(scenario, spec.seed, index, options.policies.size());
    spec.level = options.record_all ? TraceLevel::kFull : TraceLevel::kOff;
    return spec;
}

CampaignResult run_campaign(Store& store, const std::string& command, const CampaignOptions& options,
                            const Progress& progress) {
    CampaignResult result;
    result.campaign_id = store.begin_campaign(command);
    const auto start = std::chrono::steady_clock::now();
    const auto in_time = [&] {
        return !options.time_budget || std::chrono::steady_clock::now() - start < *options.time_budget;
    };
    const auto planned_runs = [&](const scenarios::Scenario* s) -> std::uint64_t {
        // A conformance twin has one schedule worth running (Scenario::fifo_only).
        return s->fifo_only ? 1 : options.runs;
    };
    std::uint64_t planned = 0;
    if (!options.time_budget) {
        for (const auto* s : options.scenarios) {
            const std::uint64_t n = planned_runs(s);
            planned += n / options.shard_count + (n % options.shard_count > options.shard_index ? 1 : 0);
        }
    }
    IsolationOptions iso;
    iso.jobs = options.jobs;
    iso.run_timeout = options.run_timeout;

    for (std::uint64_t round = 0; in_time(); ++round) {
        std::vector<WorkItem> items;
        for (const scenarios::Scenario* s : options.scenarios) {
            const std::uint64_t n = planned_runs(s);
            for (std::uint64_t i = round * kRound; i < std::min(n, (round + 1) * kRound); ++i) {
                if (i % options.shard_count != options.shard_index) continue;
                WorkItem item;
                item.scenario = s;
                item.spec = campaign_spec(*s, options, i);
                item.keep_events = options.record_all;
                item.check_determinism = options.determinism_every != 0 && i % options.determinism_every == 0;
                items.push_back(std::move(item));
            }
        }
        if (items.empty()) break;
        std::vector<std::pair<std::size_t, std::size_t>> to_shrink;  // (item, failure index)
        store.begin();
        run_isolated(
            items, iso,
            [&](std::size_t i, RunReport&& rep) {
                const bool keep = rep.outcome != "pass" || options.store_passing;
                const std::int64_t id = keep ? store.add_report(result.campaign_id, items[i].spec, rep) : 0;
                ++result.runs;
                if (rep.outcome != "pass") {
                    ++result.failing_runs;
                    auto same = std::find_if(result.failures.begin(), result.failures.end(), [&](const CampaignFailure& f) {
                        return f.scenario == items[i].spec.scenario && f.outcome == rep.outcome && f.message == rep.message;
                    });
                    if (same != result.failures.end()) {
                        ++same->occurrences;
                    } else {
                        to_shrink.emplace_back(i, result.failures.size());
                        result.failures.push_back({id, items[i].spec.scenario, rep.outcome, rep.message, 0,
                                                   non_default_choices(rep.choices), 0, 1});
                    }
                }
                if (progress) progress(result.runs, planned, result.failing_runs);
            },
            in_time);
        store.commit();
        // Shrink after the round, each in a child process: a candidate may crash too.
        if (options.shrink) {
            for (const auto& [item, index] : to_shrink) {
                CampaignFailure& failure = result.failures[index];
                const std::int64_t id = failure.run_id;
                if (failure.outcome == "crash" || items[item].scenario->fifo_only) continue;
                const auto shrunk = shrink_isolated(*items[item].scenario, items[item].spec, options);
                if (!shrunk || shrunk->report.outcome == "pass") continue;
                store.begin();
                failure.shrunk_id = store.add_report(result.campaign_id, shrunk->spec, shrunk->report, id);
                store.commit();
                failure.choices_after = non_default_choices(shrunk->report.choices);
            }
        }
    }
    return result;
}

}  // namespace corosim::checker
