// libFuzzer target: a policy spec (`--policy`, and the stored `policy` column replay re-parses):
// fifo, random, pct:D[:H], with +jitter[=T] and +buggify. Bad specs are refused with
// std::invalid_argument; a good one must make a policy (without huge allocations).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "corosim/scheduler/policies.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const corosim::sched::PolicySpec spec = corosim::sched::parse_policy(text);
        (void)corosim::sched::make_policy(spec, 1);
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
