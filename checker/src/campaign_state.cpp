// campaign_state.cpp: a campaign's options and progress as JSON in its store row, so that
// `fuzz --resume` rebuilds exactly the work lists the interrupted campaign had.
#include <nlohmann/json.hpp>

#include <stdexcept>

#include "corosim/checker/campaign.hpp"

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
    p.failing_runs = field<std::uint64_t>(j, "failing_runs");
    p.elapsed_ms = field<std::int64_t>(j, "elapsed_ms");
    p.done = field<bool>(j, "done");
    return p;
}

}  // namespace corosim::checker
