#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdint>
#include <stdexcept>

#include "corosim/scenarios/registry.hpp"
#include "corosim/scenarios/scenario.hpp"

namespace corosim::scenarios {

std::int64_t ScenarioArgs::get(std::string_view name) const {
    if (auto it = params.find(std::string(name)); it != params.end()) return it->second;
    throw std::invalid_argument("scenario asked for unknown parameter '" + std::string(name) + "'");
}

Params Scenario::defaults() const {
    Params p;
    for (const auto& spec : params) p[spec.name] = spec.def;
    return p;
}

void Scenario::apply(Params& values, std::string_view assignment) const {
    const auto eq = assignment.find('=');
    if (eq == std::string_view::npos) {
        throw std::invalid_argument("parameter '" + std::string(assignment) + "' is not key=value");
    }
    const std::string key(assignment.substr(0, eq));
    const std::string_view text = assignment.substr(eq + 1);
    const ParamSpec* spec = nullptr;
    for (const auto& p : params)
        if (p.name == key) spec = &p;
    if (spec == nullptr) {
        std::string known;
        for (const auto& p : params) known += (known.empty() ? "" : ", ") + p.name;
        throw std::invalid_argument("scenario '" + name + "' has no parameter '" + key + "' (has: " +
                                    (known.empty() ? "none" : known) + ")");
    }
    if (spec->flag) {
        if (text == "true" || text == "1") {
            values[key] = 1;
        } else if (text == "false" || text == "0") {
            values[key] = 0;
        } else {
            throw std::invalid_argument("parameter '" + key + "' is a flag: true, false, 1 or 0, got '" + std::string(text) + "'");
        }
        return;
    }
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        throw std::invalid_argument("parameter '" + key + "' wants an integer, got '" + std::string(text) + "'");
    }
    if (v < spec->min || v > spec->max) {
        throw std::invalid_argument("parameter '" + key + "'=" + std::to_string(v) + " is out of range [" +
                                    std::to_string(spec->min) + ", " + std::to_string(spec->max) + "]");
    }
    values[key] = v;
}

std::string params_json(const Params& params) {
    // nlohmann's object is ordered by key, so the text is canonical; names are escaped.
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : params) j[k] = v;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Params parse_params_json(std::string_view json) {
    const auto fail = [&] { throw std::invalid_argument("malformed parameter JSON '" + std::string(json) + "'"); };
    const nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) fail();
    Params out;
    for (const auto& [k, v] : j.items()) {
        if (v.is_number_integer() && !v.is_number_unsigned()) {
            out[k] = v.get<std::int64_t>();
        } else if (v.is_number_unsigned() && v.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX)) {
            out[k] = static_cast<std::int64_t>(v.get<std::uint64_t>());
        } else {
            fail();
        }
    }
    return out;
}

void Registry::add(Scenario s) {
    const std::string key = s.name;
    if (!by_name_.emplace(key, std::move(s)).second) {
        throw std::invalid_argument("scenario '" + key + "' registered twice");
    }
}

const Scenario* Registry::find(std::string_view name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &it->second;
}

void register_builtin(Registry& reg) {
    register_basics(reg);
    register_loop_rules(reg);
    Registry twins;
    register_conf_cancel(twins);
    register_conf_uncancel(twins);
    register_conf_timeouts(twins);
    register_conf_wait_for(twins);
    register_conf_interrupts(twins);
    register_conf_taskgroup(twins);
    register_conf_groups(twins);
    register_conf_notes(twins);
    register_conf_done_callbacks(twins);
    register_conf_coro_by_hand(twins);
    register_conf_runtime(twins);
    register_conf_gc(twins);
    register_conf_context(twins);
    register_conf_asyncgen(twins);
    register_conf_heldout(twins);
    register_conf_heldout_sync(twins);
    register_conf_heldout_queue(twins);
    register_conf_net(twins);
    register_conf_net_dgram(twins);
    for (const auto& [name, twin] : twins.all()) {
        Scenario s = twin;
        s.fifo_only = true;
        reg.add(std::move(s));
    }
    register_cancel_in_finally(reg);
    register_taskgroup_errors(reg);
    register_timeouts(reg);
    register_planted_bugs(reg);
    register_bugbench_locks(reg);
    register_bugbench_cond_queue(reg);
    register_bugbench_waitfor(reg);
    register_bugbench_apps(reg);
    register_search_targets(reg);
    register_net_kv(reg);
    register_net_lease_lock(reg);
    register_net_udp_counter(reg);
    register_runtime_families(reg);
    register_diagnostic_families(reg);
}

Registry& user_registry() {
    static Registry reg;
    return reg;
}

const Registry& all_scenarios() {
    static const Registry reg = [] {
        Registry r;
        register_builtin(r);
        for (const auto& [name, s] : user_registry().all()) r.add(s);
        return r;
    }();
    return reg;
}

const Registry& builtin_registry() {
    static const Registry reg = [] {
        Registry r;
        register_builtin(r);
        return r;
    }();
    return reg;
}

}  // namespace corosim::scenarios
