// signature.hpp (placeholder until the lead's version lands)
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace corosim::checker {

inline std::string normalize_message(std::string_view message) {
    std::string out;
    for (std::size_t i = 0; i < message.size(); ++i) {
        if (std::isdigit(static_cast<unsigned char>(message[i])) != 0) {
            while (i + 1 < message.size() && std::isdigit(static_cast<unsigned char>(message[i + 1])) != 0) ++i;
            out += 'N';
        } else {
            out += message[i];
        }
    }
    return out;
}

inline std::string failure_signature(std::string_view outcome, std::string_view message) {
    if (const auto later = message.find("; later: "); later != std::string_view::npos) message = message.substr(0, later);
    return std::string(outcome) + ": " + normalize_message(message);
}

}  // namespace corosim::checker
