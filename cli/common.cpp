#include <cstdio>

#include "commands.hpp"

namespace corosim::cli {

const scenarios::Scenario& find_scenario(std::string_view name) {
    const auto& reg = scenarios::all_scenarios();
    if (const auto* s = reg.find(name)) return *s;
    std::string known;
    for (const auto& [n, s] : reg.all()) known += (known.empty() ? "" : ", ") + n;
    throw UsageError("unknown scenario '" + std::string(name) + "' (known: " + known + ")");
}

std::string json_str(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

}  // namespace corosim::cli
