// libFuzzer target: a run's stored `params` JSON (a flat object of integers). Malformed text is
// refused with std::invalid_argument; what parses must survive params_json and back unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "corosim/scenarios/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const corosim::scenarios::Params params = corosim::scenarios::parse_params_json(text);
        if (corosim::scenarios::parse_params_json(corosim::scenarios::params_json(params)) != params) std::abort();
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
