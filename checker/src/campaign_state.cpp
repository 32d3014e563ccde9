// campaign_state.cpp: a campaign's options and progress as JSON in its store row, so that
// `fuzz --resume` rebuilds exactly the work lists the interrupted campaign had.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

#include "corosim/checker/campaign.hpp"
#include "corosim/checker/replay.hpp"
#include "corosim/checker/runner.hpp"

namespace corosim::checker {

namespace {
using nlohmann::json;

template <typename T>
T field(const json& j, const char* name) {
    if (!j.contains(name)) throw std::invalid_argument(std::string("stored campaign options lack '") + name + "'");
    try {
        return j.at(name).get<T>();
    } catch (const json::exception&) {
        throw std::invalid_argument(std::string("stored campaign option '") + name + "' is malformed");
    }
}

json parse_object(const std::string& text, const char* what) {
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) throw std::invalid_argument(std::string("stored campaign ") + what + " is not a JSON object");
    return j;
}
}  // namespace

std::string campaign_options_json(const CampaignOptions& o) {
    json names = json::array();
    for (const auto* s : o.scenarios) names.push_back(s->name);
    json j = {{"scenarios", names},
              {"runs", o.runs},
              {"seed_base", o.seed_base},
              {"policies", o.policies},
              {"record_all", o.record_all},
              {"store_passing", o.store_passing},
              {"shard_index", o.shard_index},
              {"shard_count", o.shard_count},
              {"determinism_every", o.determinism_every},
              {"shrink", o.shrink},
              {"shrink_budget", o.shrink_budget},
              {"run_timeout_ms", o.run_timeout.count()},
              {"max_memory_mb", o.max_memory_mb},
              {"stop_at_first_failure", o.stop_at_first_failure}};
    if (o.time_budget) j["time_budget_ms"] = o.time_budget->count();
    // Only a non-default version is written, so a 3.12 campaign's row reads as before.
    if (o.python != PythonVersion::k3_12) j["python"] = python_version_name(o.python);
    // The regression runs are part of the plan: `--resume` runs the ones not yet stored from
    // here, whatever the corpus directory holds by then.
    if (!o.regressions.empty()) {
        json runs = json::array();
        for (const RunSpec& r : o.regressions) {
            json run = {{"scenario", r.scenario},
                        {"seed", r.seed},
                        {"policy", r.policy},
                        {"params", r.params},
                        {"choices", r.choices}};
            if (r.python != PythonVersion::k3_12) run["python"] = python_version_name(r.python);
            runs.push_back(std::move(run));
        }
        j["regressions"] = runs;
    }
    return j.dump();
}

CampaignOptions parse_campaign_options(const std::string& text, const scenarios::Registry& registry) {
    const json j = parse_object(text, "options");
    CampaignOptions o;
    for (const auto& name : field<std::vector<std::string>>(j, "scenarios")) {
        const auto* s = registry.find(name);
        if (s == nullptr) throw std::invalid_argument("the campaign's scenario '" + name + "' is not registered here");
        o.scenarios.push_back(s);
    }
    o.runs = field<std::uint64_t>(j, "runs");
    o.seed_base = field<std::uint64_t>(j, "seed_base");
    o.policies = field<std::vector<std::string>>(j, "policies");
    o.record_all = field<bool>(j, "record_all");
    o.store_passing = field<bool>(j, "store_passing");
    o.shard_index = field<std::uint32_t>(j, "shard_index");
    o.shard_count = field<std::uint32_t>(j, "shard_count");
    o.determinism_every = field<std::uint32_t>(j, "determinism_every");
    o.shrink = field<bool>(j, "shrink");
    o.shrink_budget = field<std::size_t>(j, "shrink_budget");
    o.run_timeout = std::chrono::milliseconds(field<std::int64_t>(j, "run_timeout_ms"));
    o.max_memory_mb = field<std::uint64_t>(j, "max_memory_mb");
    if (j.contains("stop_at_first_failure")) o.stop_at_first_failure = field<bool>(j, "stop_at_first_failure");
    if (j.contains("python")) {
        const std::optional<PythonVersion> v = parse_python_version(field<std::string>(j, "python"));
        if (!v) throw std::invalid_argument("stored campaign option 'python' is malformed");
        o.python = *v;
    }
    if (j.contains("time_budget_ms")) o.time_budget = std::chrono::milliseconds(field<std::int64_t>(j, "time_budget_ms"));
    if (j.contains("regressions")) {
        for (const json& r : field<std::vector<json>>(j, "regressions")) {
            if (!r.is_object()) throw std::invalid_argument("stored campaign option 'regressions' is malformed");
            RunSpec spec;
            spec.scenario = field<std::string>(r, "scenario");
            spec.seed = field<std::uint64_t>(r, "seed");
            spec.policy = field<std::string>(r, "policy");
            spec.params = field<scenarios::Params>(r, "params");
            spec.choices = field<std::vector<std::uint32_t>>(r, "choices");
            if (r.contains("python")) {
                const std::optional<PythonVersion> v = parse_python_version(field<std::string>(r, "python"));
                if (!v) throw std::invalid_argument("a stored regression run's 'python' is malformed");
                spec.python = *v;
            }
            const auto s = std::find_if(o.scenarios.begin(), o.scenarios.end(),
                                        [&](const scenarios::Scenario* sc) { return sc->name == spec.scenario; });
            if (s == o.scenarios.end()) throw std::invalid_argument("a stored regression run's scenario is not the campaign's");
            StoredRun as_stored;  // id 0: checked as a corpus entry is, before it runs
            as_stored.spec = spec;
            validate_stored(**s, as_stored);
            o.regressions.push_back(std::move(spec));
        }
    }
    if (o.scenarios.empty() || o.policies.empty() || o.shard_count == 0 || o.shard_index >= o.shard_count ||
        o.run_timeout.count() <= 0) {
        throw std::invalid_argument("stored campaign options are inconsistent");
    }
    return o;
}

std::string progress_json(const CampaignProgress& p) {
    return json{{"round", p.round},
                {"item", p.item},
                {"runs", p.runs},
                {"regressions", p.regressions},
                {"failing_runs", p.failing_runs},
                {"elapsed_ms", p.elapsed_ms},
                {"done", p.done}}
        .dump();
}

CampaignProgress parse_progress(const std::string& text) {
    if (text.empty()) return {};  // killed before its first commit: nothing done yet
    const json j = parse_object(text, "progress");
    CampaignProgress p;
    p.round = field<std::uint64_t>(j, "round");
    p.item = field<std::uint64_t>(j, "item");
    p.runs = field<std::uint64_t>(j, "runs");
    // Absent in the rows of corosim before regression progress was kept: those stopped their
    // regressions only when all had run.
    if (j.contains("regressions")) p.regressions = field<std::uint64_t>(j, "regressions");
    p.failing_runs = field<std::uint64_t>(j, "failing_runs");
    p.elapsed_ms = field<std::int64_t>(j, "elapsed_ms");
    p.done = field<bool>(j, "done");
    return p;
}

}  // namespace corosim::checker
