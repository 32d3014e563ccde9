// libFuzzer target: a run's stored `choices` blob (LEB128 varints, read by replay and report).
// Malformed blobs must be refused with StoreError, never crash; what decodes must encode back to
// a blob that decodes to the same sequence.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "corosim/checker/store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string blob(reinterpret_cast<const char*>(data), size);
    try {
        const auto choices = corosim::checker::decode_choices(blob);
        if (corosim::checker::decode_choices(corosim::checker::encode_choices(choices)) != choices) std::abort();
    } catch (const corosim::checker::StoreError&) {
    }
    return 0;
}
