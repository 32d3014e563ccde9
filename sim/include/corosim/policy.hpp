// policy.hpp: the scheduling choice interface (DESIGN 3). The loop asks a Policy at every choice
// point with more than one option and records the answer, so a run is a function of its choice
// sequence. Implementations live in scheduler/; a null policy is asyncio's FIFO with no virtual call.
#pragma once

#include <cstdint>
#include <string>

namespace corosim {

/// What a choice point decides.
enum class ChoiceKind : std::uint8_t {
    kRunnable = 0,  ///< which ready callback of the current iteration runs next
};

/// Chooses among `n` options at a choice point; 0 is always asyncio's (FIFO) answer.
class Policy {
public:
    virtual ~Policy() = default;
    /// Returns an index in [0, n); only called with n >= 2.
    virtual std::uint32_t choose(ChoiceKind kind, std::uint32_t n) = 0;
    /// The policy's spec, e.g. "random" or "pct:3", as the store records it.
    virtual std::string name() const = 0;
};

}  // namespace corosim
