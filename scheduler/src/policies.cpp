#include "corosim/scheduler/policies.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace corosim::sched {

std::string PolicySpec::str() const {
    switch (kind) {
        case Kind::kFifo: return "fifo";
        case Kind::kRandom: return "random";
        case Kind::kPct: return "pct:" + std::to_string(depth);
        case Kind::kReplay: return "replay";
    }
    return "fifo";
}

PolicySpec parse_policy(std::string_view text) {
    PolicySpec spec;
    if (text == "fifo") return spec;
    if (text == "random") {
        spec.kind = PolicySpec::Kind::kRandom;
        return spec;
    }
    if (text == "replay") {
        spec.kind = PolicySpec::Kind::kReplay;
        return spec;
    }
    if (text == "pct" || text.starts_with("pct:")) {
        spec.kind = PolicySpec::Kind::kPct;
        if (text.size() > 4) {
            const std::string_view digits = text.substr(4);
            std::uint32_t d = 0;
            const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
            if (ec != std::errc() || end != digits.data() + digits.size() || d < 1 || d > 100) {
                throw std::invalid_argument("bad pct depth '" + std::string(digits) + "' (want pct:D with 1 <= D <= 100)");
            }
            spec.depth = d;
        }
        return spec;
    }
    throw std::invalid_argument("unknown policy '" + std::string(text) + "' (fifo|random|pct[:D]|replay)");
}

PctPolicy::PctPolicy(std::uint64_t seed, std::uint32_t depth) noexcept : rng_(seed), depth_(depth) {
    salt_ = rng_.next();
    // Change points are spread over the first 1000 choice points; runs here are short.
    for (std::uint32_t i = 1; i < depth_; ++i) change_points_.push_back(rng_.below(1000));
    std::sort(change_points_.begin(), change_points_.end());
}

std::uint32_t PctPolicy::choose(ChoiceKind, std::uint32_t n) {
    // Between change points the preferred position is stable (low-priority work keeps being
    // passed over); at a change point a new salt redraws it.
    while (!change_points_.empty() && change_points_.front() <= step_) {
        change_points_.erase(change_points_.begin());
        salt_ = rng_.next();
    }
    ++step_;
    std::uint64_t z = salt_ + 0x9E3779B97F4A7C15ULL * n;
    return static_cast<std::uint32_t>(Rng::splitmix64(z) % n);
}

std::unique_ptr<Policy> make_policy(const PolicySpec& spec, std::uint64_t seed, std::vector<std::uint32_t> choices) {
    switch (spec.kind) {
        case PolicySpec::Kind::kFifo: return nullptr;
        case PolicySpec::Kind::kRandom: return std::make_unique<RandomPolicy>(seed);
        case PolicySpec::Kind::kPct: return std::make_unique<PctPolicy>(seed, spec.depth);
        case PolicySpec::Kind::kReplay: return std::make_unique<ReplayPolicy>(std::move(choices));
    }
    return nullptr;
}

}  // namespace corosim::sched
