// policies.hpp: the scheduling policies (DESIGN 3) and the parser for their specs.
// fifo is asyncio's order and runs with no Policy object at all (no virtual call per step);
// random picks uniformly with the run's own Rng; pct:D is PCT (Burckhardt et al., ASPLOS 2010)
// with priorities per task; replay forces a recorded choice sequence and falls back to FIFO after
// its end. Any of them can add timer jitter (`+jitter[:DUR]`) and buggify fault points
// (`+buggify`); those choices are recorded like scheduling choices, so they replay and shrink.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "corosim/policy.hpp"
#include "corosim/rng.hpp"

namespace corosim::sched {

/// A parsed policy spec: `BASE[+jitter[:DUR]][+buggify]`, BASE one of fifo, random, pct[:D[:H]],
/// replay.
struct PolicySpec {
    /// BASE: fifo, random, pct or replay.
    enum class Kind : std::uint8_t { kFifo, kRandom, kPct, kReplay };
    Kind kind = Kind::kFifo;     ///< the BASE policy
    std::uint32_t depth = 3;     ///< pct:D only
    std::uint64_t horizon = 0;   ///< pct:D:H only: expected choice points per run (0: the default)
    Nanos jitter = 0;            ///< +jitter: timers may fire this much later (0: off)
    bool buggify = false;        ///< +buggify: fault points may fire
    /// The canonical text form, as stored and accepted by parse_policy.
    std::string str() const;
    /// The spec that replays a run of this one from its choices: replay with the same jitter and
    /// buggify, so the replayed run is asked the same questions in the same order.
    PolicySpec as_replay() const;
};

/// The jitter `+jitter` means without a duration.
inline constexpr Nanos kDefaultJitter = 1'000'000;  // 1 ms
/// The horizon `pct:D` uses when none is given or learned.
inline constexpr std::uint64_t kDefaultPctHorizon = 50;

/// Parses a policy spec (see PolicySpec); throws std::invalid_argument naming the bad value.
PolicySpec parse_policy(std::string_view text);

/// The part shared by the exploring policies: jitter and buggify answers from the run's Rng.
class ExploringPolicy : public Policy {
public:
    /// Draws from an Rng seeded with `seed`; `jitter` > 0 delays timers by up to that much,
    /// `buggify` lets fault points fire.
    ExploringPolicy(std::uint64_t seed, Nanos jitter, bool buggify) noexcept
        : rng_(seed), jitter_(jitter), buggify_(buggify) {}
    std::uint32_t choose(const ChoicePoint& point) override;
    Nanos jitter() const override { return jitter_; }
    bool faults() const override { return buggify_; }

protected:
    /// The kRunnable answer.
    virtual std::uint32_t choose_runnable(const ChoicePoint& point) = 0;
    /// "+jitter:1ms+buggify" or "".
    std::string suffix() const;
    Rng rng_;  ///< the run's random stream (seeded from the run's seed)

private:
    Nanos jitter_;
    bool buggify_;
};

/// Uniform choice among the options, from the run's seed.
class RandomPolicy final : public ExploringPolicy {
public:
    /// `random[+jitter][+buggify]` with seed `seed`.
    explicit RandomPolicy(std::uint64_t seed, Nanos jitter = 0, bool buggify = false) noexcept
        : ExploringPolicy(seed, jitter, buggify) {}
    std::string name() const override { return "random" + suffix(); }

private:
    std::uint32_t choose_runnable(const ChoicePoint& point) override {
        return static_cast<std::uint32_t>(rng_.below(point.n));
    }
};

/// PCT adapted to the loop. Priorities belong to tasks (a callback that steps no task gets a
/// fresh one each time); each task draws a random high priority the first time it is ready
/// together with another; at every choice point the highest-priority ready option runs. D-1
/// change points, drawn uniformly over the first H choice points, demote the task about to run
/// to a priority below every initial one. A bug of depth d is found with probability at least
/// 1/(n * H^(d-1)) per run (n tasks), as in the paper, when H bounds the run's choice points.
class PctPolicy final : public ExploringPolicy {
public:
    /// `pct:depth:horizon` with seed `seed`: depth-1 change points drawn in [1, horizon]
    /// (horizon 0: kDefaultPctHorizon).
    PctPolicy(std::uint64_t seed, std::uint32_t depth, std::uint64_t horizon, Nanos jitter = 0,
              bool buggify = false) noexcept;
    std::string name() const override;

private:
    std::uint32_t choose_runnable(const ChoicePoint& point) override;
    std::uint64_t priority(std::uint32_t task);
    std::uint32_t depth_;
    std::uint64_t horizon_;
    std::uint64_t step_ = 0;
    std::vector<std::uint64_t> change_points_;  // ascending choice-point numbers, 1-based
    std::uint64_t demotions_ = 0;
    std::map<std::uint32_t, std::uint64_t> priority_;  // task id -> priority (ordered: DESIGN 7.4)
};

/// Replays a recorded choice sequence; after its end every choice is 0 (FIFO, no fault). An
/// answer out of range for its choice point is counted in `invalid()` and taken as 0.
class ReplayPolicy final : public Policy {
public:
    /// Replays `choices`; `jitter` and `buggify` must be the recorded run's, so that the same
    /// choice points are asked (PolicySpec::as_replay).
    explicit ReplayPolicy(std::vector<std::uint32_t> choices, Nanos jitter = 0, bool buggify = false) noexcept
        : choices_(std::move(choices)), jitter_(jitter), buggify_(buggify) {}
    std::uint32_t choose(const ChoicePoint& point) override {
        const std::uint32_t c = next_ < choices_.size() ? choices_[next_] : 0;
        ++next_;
        if (c >= point.n) {
            ++invalid_;
            return 0;
        }
        return c;
    }
    std::string name() const override { return "replay"; }
    Nanos jitter() const override { return jitter_; }
    bool faults() const override { return buggify_; }
    /// Recorded answers that did not fit their choice point.
    std::size_t invalid() const noexcept { return invalid_; }

private:
    std::vector<std::uint32_t> choices_;
    std::size_t next_ = 0;
    std::size_t invalid_ = 0;
    Nanos jitter_;
    bool buggify_;
};

/// The policy object for `spec` and `seed`; null for fifo (the loop's FIFO fast path).
/// `choices` feeds the replay policy.
std::unique_ptr<Policy> make_policy(const PolicySpec& spec, std::uint64_t seed,
                                    std::vector<std::uint32_t> choices = {});

}  // namespace corosim::sched
