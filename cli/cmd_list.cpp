#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.hpp"

namespace corosim::cli {

namespace {
struct ListOptions {
    bool json = false;
};

int run_list(const ListOptions& opt) {
    const auto& all = scenarios::all_scenarios().all();
    if (opt.json) {
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (const auto& [name, s] : all) {
            nlohmann::ordered_json params = nlohmann::ordered_json::array();
            for (const auto& p : s.params) {
                params.push_back({{"name", p.name}, {"min", p.min}, {"max", p.max}, {"default", p.def}, {"help", p.help}});
            }
            out.push_back({{"name", name},
                           {"family", s.family},
                           {"description", s.description},
                           {"planted", s.planted},
                           {"fifo_only", s.fifo_only},
                           {"params", std::move(params)}});
        }
        std::cout << out.dump(2) << "\n";
        return kExitOk;
    }
    std::size_t width = 8;
    for (const auto& [name, s] : all) width = std::max(width, name.size());
    for (const auto& [name, s] : all) {
        std::string params;
        for (const auto& p : s.params) params += " " + p.name + "=" + std::to_string(p.def);
        std::cout << name << std::string(width + 2 - name.size(), ' ') << s.family
                  << std::string(s.family.size() < 10 ? 10 - s.family.size() : 1, ' ') << s.description
                  << (s.planted ? " [planted bug]" : "") << (s.fifo_only ? " [conformance, fifo only]" : "") << "\n";
    }
    return kExitOk;
}
}  // namespace

Command add_list(CLI::App& app) {
    auto opt = std::make_shared<ListOptions>();
    auto* sub = app.add_subcommand("list", "List the registered scenarios");
    sub->add_flag("--json", opt->json, "Print a JSON array");
    return {sub, [opt] { return run_list(*opt); }};
}

}  // namespace corosim::cli
