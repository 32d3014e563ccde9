// campaign_state.cpp: a campaign's options and progress as JSON in its store row, so that
// `fuzz --resume` rebuilds exactly the work lists the interrupted campaign had.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "corosim/checker/campaign.hpp"
#include "corosim/checker/replay.hpp"
#include "corosim/checker/runner.hpp"

namespace corosim::checker {

namespace {
using nlohmann::json;

// Which stored record a field is read from, so that a message names the right one: the
// campaign's options, one of its regression runs (inside the options), or its progress.
enum class Part { kOption, kRegression, kProgress };

std::string field(Part part, const char* name) {
    switch (part) {
        case Part::kOption: return std::string("stored campaign option '") + name + "'";
        case Part::kRegression: return std::string("stored regression run field '") + name + "'";
        case Part::kProgress: break;
    }
    return std::string("stored campaign progress field '") + name + "'";
}

[[noreturn]] void malformed(Part part, const char* name) { throw std::invalid_argument(field(part, name) + " is malformed"); }

const json& member(const json& j, Part part, const char* name) {
    if (!j.contains(name)) throw std::invalid_argument(field(part, name) + " is missing");
    return j.at(name);
}

// An integer of exactly type T, or the row is refused. nlohmann's get<T>() converts whatever
// number it holds with a static_cast: a float out of T's range is undefined behaviour (the parser
// fuzzer found `"round":1.4e21`) and a negative or too large integer wraps silently.
template <typename T>
T integer_value(const json& v, Part part, const char* name) {
    static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) malformed(part, name);
        return static_cast<T>(u);
    }
    if (v.is_number_integer()) {
        const auto i = v.get<std::int64_t>();
        if constexpr (std::is_unsigned_v<T>) {
            if (i < 0) malformed(part, name);
            if (static_cast<std::uint64_t>(i) > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) malformed(part, name);
        } else {
            if (i < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
                i > static_cast<std::int64_t>(std::numeric_limits<T>::max())) {
                malformed(part, name);
            }
        }
        return static_cast<T>(i);
    }
    malformed(part, name);
}

template <typename T>
T integer(const json& j, Part part, const char* name) {
    return integer_value<T>(member(j, part, name), part, name);
}

bool boolean(const json& j, Part part, const char* name) {
    const json& v = member(j, part, name);
    if (!v.is_boolean()) malformed(part, name);
    return v.get<bool>();
}

std::string string(const json& j, Part part, const char* name) {
    const json& v = member(j, part, name);
    if (!v.is_string()) malformed(part, name);
    return v.get<std::string>();
}

const json& array(const json& j, Part part, const char* name) {
    const json& v = member(j, part, name);
    if (!v.is_array()) malformed(part, name);
    return v;
}

std::vector<std::string> strings(const json& j, Part part, const char* name) {
    std::vector<std::string> out;
    for (const json& v : array(j, part, name)) {
        if (!v.is_string()) malformed(part, name);
        out.push_back(v.get<std::string>());
    }
    return out;
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
    // Written only when set, so a campaign without pins reads as before.
    if (!o.pinned.empty()) j["pinned"] = o.pinned;
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
    for (const auto& name : strings(j, Part::kOption, "scenarios")) {
        const auto* s = registry.find(name);
        if (s == nullptr) throw std::invalid_argument("the campaign's scenario '" + name + "' is not registered here");
        o.scenarios.push_back(s);
    }
    o.runs = integer<std::uint64_t>(j, Part::kOption, "runs");
    o.seed_base = integer<std::uint64_t>(j, Part::kOption, "seed_base");
    o.policies = strings(j, Part::kOption, "policies");
    o.record_all = boolean(j, Part::kOption, "record_all");
    o.store_passing = boolean(j, Part::kOption, "store_passing");
    o.shard_index = integer<std::uint32_t>(j, Part::kOption, "shard_index");
    o.shard_count = integer<std::uint32_t>(j, Part::kOption, "shard_count");
    o.determinism_every = integer<std::uint32_t>(j, Part::kOption, "determinism_every");
    o.shrink = boolean(j, Part::kOption, "shrink");
    o.shrink_budget = integer<std::size_t>(j, Part::kOption, "shrink_budget");
    o.run_timeout = std::chrono::milliseconds(integer<std::int64_t>(j, Part::kOption, "run_timeout_ms"));
    o.max_memory_mb = integer<std::uint64_t>(j, Part::kOption, "max_memory_mb");
    if (j.contains("stop_at_first_failure")) o.stop_at_first_failure = boolean(j, Part::kOption, "stop_at_first_failure");
    if (j.contains("python")) {
        const std::optional<PythonVersion> v = parse_python_version(string(j, Part::kOption, "python"));
        if (!v) malformed(Part::kOption, "python");
        o.python = *v;
    }
    if (j.contains("pinned")) {
        // The scenario layer's reader (integers only), then as `fuzz --param` checks them: some
        // scenario of the campaign declares each, and every one that does takes its value.
        if (!member(j, Part::kOption, "pinned").is_object()) malformed(Part::kOption, "pinned");
        o.pinned = scenarios::parse_params_json(j.at("pinned").dump());
        for (const auto& [name, value] : o.pinned) {
            bool declared = false;
            for (const scenarios::Scenario* s : o.scenarios) {
                for (const auto& p : s->params) {
                    if (p.name != name) continue;
                    declared = true;
                    if (value < p.min || value > p.max) malformed(Part::kOption, "pinned");
                }
            }
            if (!declared) malformed(Part::kOption, "pinned");
        }
    }
    if (j.contains("time_budget_ms")) o.time_budget = std::chrono::milliseconds(integer<std::int64_t>(j, Part::kOption, "time_budget_ms"));
    if (j.contains("regressions")) {
        for (const json& r : array(j, Part::kOption, "regressions")) {
            if (!r.is_object()) malformed(Part::kOption, "regressions");
            RunSpec spec;
            spec.scenario = string(r, Part::kRegression, "scenario");
            spec.seed = integer<std::uint64_t>(r, Part::kRegression, "seed");
            spec.policy = string(r, Part::kRegression, "policy");
            // The scenario layer's reader: integer values only, each within int64.
            if (!member(r, Part::kRegression, "params").is_object()) malformed(Part::kRegression, "params");
            spec.params = scenarios::parse_params_json(r.at("params").dump());
            for (const json& c : array(r, Part::kRegression, "choices")) {
                spec.choices.push_back(integer_value<std::uint32_t>(c, Part::kRegression, "choices"));
            }
            if (r.contains("python")) {
                const std::optional<PythonVersion> v = parse_python_version(string(r, Part::kRegression, "python"));
                if (!v) malformed(Part::kRegression, "python");
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
    p.round = integer<std::uint64_t>(j, Part::kProgress, "round");
    p.item = integer<std::uint64_t>(j, Part::kProgress, "item");
    p.runs = integer<std::uint64_t>(j, Part::kProgress, "runs");
    // Absent in the rows of corosim before regression progress was kept: those stopped their
    // regressions only when all had run.
    if (j.contains("regressions")) p.regressions = integer<std::uint64_t>(j, Part::kProgress, "regressions");
    p.failing_runs = integer<std::uint64_t>(j, Part::kProgress, "failing_runs");
    p.elapsed_ms = integer<std::int64_t>(j, Part::kProgress, "elapsed_ms");
    p.done = boolean(j, Part::kProgress, "done");
    return p;
}

}  // namespace corosim::checker
