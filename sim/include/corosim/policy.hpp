// policy.hpp: the choice interface (DESIGN 3). The loop asks a Policy at every choice point and
// records the answer, so a run is a function of its choice sequence. Choice points are the order
// of the ready batch (always asked when two or more callbacks are ready), and, only when the
// policy asks for them, timer jitter, buggify fault points and message delays. Every answer 0 is asyncio's:
// FIFO order, no jitter, no fault, so a recorded sequence shrinks towards CPython's run by
// zeroing answers. Implementations live in scheduler/; a null policy is FIFO with no virtual call.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "corosim/time.hpp"

namespace corosim {

/// What a choice point decides.
enum class ChoiceKind : std::uint8_t {
    kRunnable = 0,     ///< which ready callback of the current iteration runs next
    kTimerJitter = 1,  ///< how late a timer fires: option k of n delays it by k/(n-1) of the jitter
    kBuggify = 2,      ///< whether a buggify() fault point fires: 1 yes, 0 no
    kDelay = 3,        ///< a message delay (net/): option k of n is k/(n-1) of the way from min to max
    /// A fault a layer above injects at one of its events (net/: at a packet's delivery): 0 none,
    /// option k > 0 the layer's k-th kind of fault. Asked only of policies exploring faults.
    kFault = 4,
};

/// One choice point, as the loop describes it to the policy.
struct ChoicePoint {
    ChoiceKind kind = ChoiceKind::kRunnable;  ///< what is being chosen
    std::uint32_t n = 2;  ///< options; the answer must be in [0, n)
    /// kRunnable: the task option `i` steps or wakes (its per-loop id), 0 for a callback that
    /// belongs to no task. Lets a policy keep per-task state (PCT's priorities).
    std::uint32_t (*task_of)(const void* ctx, std::uint32_t i) = nullptr;
    const void* ctx = nullptr;  ///< the loop's state that task_of and internal_key read
    /// kRunnable: nonzero when option `i` runs no scenario code (sleep()'s timer, which only
    /// completes its own future): an identity for it, unique among the callbacks queued. Two
    /// such options commute; the explorer's reduction relies on it.
    std::uint64_t (*internal_key)(const void* ctx, std::uint32_t i) = nullptr;
    std::uint32_t percent = 0;  ///< kBuggify: the site's chance of firing, in percent
    std::string_view site;      ///< kBuggify: the site's name

    /// task_of(ctx, i), or 0 when there is none.
    std::uint32_t task(std::uint32_t i) const { return task_of != nullptr ? task_of(ctx, i) : 0; }
    /// internal_key(ctx, i), or 0 (runs scenario code) when there is none.
    std::uint64_t internal(std::uint32_t i) const { return internal_key != nullptr ? internal_key(ctx, i) : 0; }
};

/// Chooses at choice points; 0 is always asyncio's answer.
class Policy {
public:
    virtual ~Policy() = default;
    /// Returns an index in [0, point.n); only called with n >= 2.
    virtual std::uint32_t choose(const ChoicePoint& point) = 0;
    /// The policy's spec, e.g. "random" or "pct:3", as the store records it.
    virtual std::string name() const = 0;
    /// How late a timer may fire (0: timers are never asked about; the default).
    virtual Nanos jitter() const { return 0; }
    /// True when buggify() fault points are asked (false: they never fire; the default).
    virtual bool faults() const { return false; }
};

/// Options of a kTimerJitter choice point: delays of 0, J/8, ..., J.
inline constexpr std::uint32_t kJitterOptions = 9;
/// Options of a kDelay choice point: the minimum, 1/8 of the range more, ..., the maximum.
inline constexpr std::uint32_t kDelayOptions = 9;
/// How often, in percent, an exploring policy answers a kFault choice with a fault.
inline constexpr std::uint32_t kFaultPercent = 1;

}  // namespace corosim
