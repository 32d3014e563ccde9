// libFuzzer target: a stored run row as `replay` reads it: scenario, params JSON, policy and
// choices blob go through the store's decoders, validate_stored and replay_spec, the steps
// replay takes before it runs anything. Input: a byte choosing the scenario, then
// params \0 policy \0 choices (the blob may hold any byte, so it comes last).
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <stdexcept>
#include <string>

#include "corosim/checker/replay.hpp"
#include "corosim/checker/store.hpp"
#include "corosim/scenarios/registry.hpp"

namespace {
// Cuts the next field (up to a \0, or everything left) off `rest`.
std::string next_field(std::string& rest) {
    const std::size_t end = rest.find('\0');
    std::string field = rest.substr(0, end);
    rest = end == std::string::npos ? std::string() : rest.substr(end + 1);
    return field;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace corosim;
    if (size == 0) return 0;
    const auto& all = scenarios::builtin_registry().all();
    auto it = all.begin();
    std::advance(it, data[0] % all.size());
    const scenarios::Scenario& scenario = it->second;
    std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
    checker::StoredRun stored;
    stored.id = 1;
    stored.spec.scenario = scenario.name;
    try {
        stored.spec.params = scenarios::parse_params_json(next_field(rest));
        stored.spec.policy = next_field(rest);
        stored.spec.choices = checker::decode_choices(rest);
        checker::validate_stored(scenario, stored);
        (void)checker::replay_spec(stored);
    } catch (const std::invalid_argument&) {
    } catch (const checker::StoreError&) {
    }
    return 0;
}
