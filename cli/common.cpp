#include <algorithm>
#include <cctype>
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

namespace {
std::string& program_name_storage() {
    static std::string name = "corosim";
    return name;
}
}  // namespace

const std::string& program_name() { return program_name_storage(); }
void set_program_name(std::string name) {
    if (!name.empty()) program_name_storage() = std::move(name);
}

std::string shell_quote(std::string_view s) {
    const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("/._-+:=,@%").find(c) != std::string_view::npos;
    });
    if (plain) return std::string(s);
    std::string out = "'";
    for (const char c : s) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
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
