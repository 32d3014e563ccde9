#include <iostream>
#include <memory>

#include "commands.hpp"

namespace corosim::cli {

namespace {
struct ListOptions {
    bool json = false;
};

int run_list(const ListOptions& opt) {
    const auto& all = scenarios::all_scenarios().all();
    if (opt.json) {
        std::string out = "[";
        for (const auto& [name, s] : all) {
            if (out.size() > 1) out += ",";
            out += "\n  {\"name\":" + json_str(name) + ",\"family\":" + json_str(s.family) +
                   ",\"description\":" + json_str(s.description) + ",\"planted\":" + (s.planted ? "true" : "false") +
                   ",\"fifo_only\":" + (s.fifo_only ? "true" : "false") +
                   ",\"params\":[";
            bool first = true;
            for (const auto& p : s.params) {
                if (!first) out += ",";
                first = false;
                out += "{\"name\":" + json_str(p.name) + ",\"min\":" + std::to_string(p.min) +
                       ",\"max\":" + std::to_string(p.max) + ",\"default\":" + std::to_string(p.def) +
                       ",\"help\":" + json_str(p.help) + "}";
            }
            out += "]}";
        }
        std::cout << out << "\n]\n";
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
