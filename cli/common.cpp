#include <unistd.h>

#include <cstdlib>

#include "commands.hpp"

namespace corosim::cli {

const scenarios::Scenario& find_scenario(std::string_view name) {
    const auto& reg = scenarios::all_scenarios();
    if (const auto* s = reg.find(name)) return *s;
    std::string known;
    for (const auto& [n, s] : reg.all()) known += (known.empty() ? "" : ", ") + n;
    throw UsageError("unknown scenario '" + std::string(name) + "' (known: " + known + ")");
}

bool colour_on(int fd) {
    const char* no_colour = std::getenv("NO_COLOR");
    return isatty(fd) != 0 && (no_colour == nullptr || *no_colour == '\0');
}

std::string paint(std::string_view text, const char* code, bool on) {
    if (!on) return std::string(text);
    return std::string("\x1b[") + code + "m" + std::string(text) + "\x1b[0m";
}

}  // namespace corosim::cli
