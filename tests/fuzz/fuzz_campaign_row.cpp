// libFuzzer target: a stored campaign row as `fuzz --resume` reads it: its options JSON
// (scenario names resolved in the built-in registry) and its progress JSON. The first byte picks
// which; malformed JSON or values are refused with std::invalid_argument.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "corosim/checker/campaign.hpp"
#include "corosim/scenarios/registry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string json(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        if (data[0] % 2 == 0) {
            (void)corosim::checker::parse_campaign_options(json, corosim::scenarios::builtin_registry());
        } else {
            (void)corosim::checker::parse_progress(json);
        }
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
