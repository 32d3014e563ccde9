// policies.hpp: the scheduling policies (DESIGN 3) and the parser for their specs.
// fifo is asyncio's order and runs with no Policy object at all (no virtual call per step);
// random picks uniformly with the run's own Rng; replay forces a recorded choice sequence and
// falls back to FIFO after its end.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "corosim/policy.hpp"
#include "corosim/rng.hpp"

namespace corosim::sched {

/// A parsed policy spec.
struct PolicySpec {
    enum class Kind : std::uint8_t { kFifo, kRandom, kPct, kReplay };
    Kind kind = Kind::kFifo;
    std::uint32_t depth = 3;  ///< pct:D only
    /// The canonical text form, as stored and accepted by parse_policy.
    std::string str() const;
};

/// Parses "fifo", "random", "pct", "pct:D" (1 <= D <= 100) or "replay"; throws
/// std::invalid_argument naming the bad value.
PolicySpec parse_policy(std::string_view text);

/// Uniform choice among the options, from the run's seed.
class RandomPolicy final : public Policy {
public:
    explicit RandomPolicy(std::uint64_t seed) noexcept : rng_(seed) {}
    std::uint32_t choose(ChoiceKind, std::uint32_t n) override { return static_cast<std::uint32_t>(rng_.below(n)); }
    std::string name() const override { return "random"; }

private:
    Rng rng_;
};

/// PCT (Burckhardt et al. 2010) over the ready batch: each choice point draws a priority order
/// that persists for a run of choices, with depth-1 random change points where it is redrawn.
/// Mostly FIFO-like runs with a few deep preemptions, which random uniform choice rarely gives.
class PctPolicy final : public Policy {
public:
    PctPolicy(std::uint64_t seed, std::uint32_t depth) noexcept;
    std::uint32_t choose(ChoiceKind, std::uint32_t n) override;
    std::string name() const override { return "pct:" + std::to_string(depth_); }

private:
    Rng rng_;
    std::uint32_t depth_;
    std::uint64_t step_ = 0;
    std::vector<std::uint64_t> change_points_;
    std::uint64_t salt_;
};

/// Replays a recorded choice sequence; after its end every choice is 0 (FIFO).
class ReplayPolicy final : public Policy {
public:
    explicit ReplayPolicy(std::vector<std::uint32_t> choices) noexcept : choices_(std::move(choices)) {}
    std::uint32_t choose(ChoiceKind, std::uint32_t n) override {
        const std::uint32_t c = next_ < choices_.size() ? choices_[next_] : 0;
        ++next_;
        return c < n ? c : 0;
    }
    std::string name() const override { return "replay"; }

private:
    std::vector<std::uint32_t> choices_;
    std::size_t next_ = 0;
};

/// The policy object for `spec` and `seed`; null for fifo (the loop's FIFO fast path).
/// `choices` feeds the replay policy.
std::unique_ptr<Policy> make_policy(const PolicySpec& spec, std::uint64_t seed,
                                    std::vector<std::uint32_t> choices = {});

}  // namespace corosim::sched
