// text.hpp: counts in the sentences reports and the CLI print, singular for exactly one
// ("1 run", "2 runs", "1 distinct failure").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace corosim::reports {

/// `n` and its noun: `singular` for exactly 1, else `plural` (`singular` + "s" when not given):
/// counted(1, "run") is "1 run", counted(0, "entry", "entries") is "0 entries".
inline std::string counted(std::uint64_t n, std::string_view singular, std::string_view plural = {}) {
    std::string out = std::to_string(n) + " ";
    if (n == 1) return out.append(singular);
    if (plural.empty()) return out.append(singular) + "s";
    return out.append(plural);
}

}  // namespace corosim::reports
