#include "corosim/scheduler/policies.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace corosim::sched {

namespace {
std::string duration_text(Nanos d) {
    if (d % 1'000'000'000 == 0) return std::to_string(d / 1'000'000'000) + "s";
    if (d % 1'000'000 == 0) return std::to_string(d / 1'000'000) + "ms";
    if (d % 1'000 == 0) return std::to_string(d / 1'000) + "us";
    return std::to_string(d) + "ns";
}

template <typename T>
bool parse_uint(std::string_view digits, T& out) {
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return ec == std::errc() && end == digits.data() + digits.size() && !digits.empty();
}

// "5ms", "200us", "1s", "750ns": a positive duration of at most 1 hour.
Nanos parse_jitter(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    std::uint64_t n = 0;
    const std::string_view unit = text.substr(i);
    Nanos scale = 0;
    if (unit == "s") scale = 1'000'000'000;
    if (unit == "ms") scale = 1'000'000;
    if (unit == "us") scale = 1'000;
    if (unit == "ns") scale = 1;
    if (!parse_uint(text.substr(0, i), n) || scale == 0 || n == 0 ||
        n > static_cast<std::uint64_t>(3'600'000'000'000 / scale)) {
        throw std::invalid_argument("bad jitter '" + std::string(text) +
                                    "' (want +jitter:DUR, a duration like 1ms, 200us or 1s, up to 1 hour)");
    }
    return static_cast<Nanos>(n) * scale;
}
}  // namespace

std::string PolicySpec::str() const {
    std::string out;
    switch (kind) {
        case Kind::kFifo: out = "fifo"; break;
        case Kind::kRandom: out = "random"; break;
        case Kind::kPct:
            out = "pct:" + std::to_string(depth);
            if (horizon != 0) out += ":" + std::to_string(horizon);
            break;
        case Kind::kReplay: out = "replay"; break;
    }
    if (jitter != 0) out += jitter == kDefaultJitter ? "+jitter" : "+jitter:" + duration_text(jitter);
    if (buggify) out += "+buggify";
    return out;
}

PolicySpec PolicySpec::as_replay() const {
    PolicySpec r = *this;
    r.kind = Kind::kReplay;
    r.depth = 3;
    r.horizon = 0;
    return r;
}

PolicySpec parse_policy(std::string_view text) {
    PolicySpec spec;
    const std::string_view base = text.substr(0, text.find('+'));
    for (std::size_t at = text.find('+'); at != std::string_view::npos;) {
        const std::size_t next = text.find('+', at + 1);
        const std::string_view mod = text.substr(at + 1, next == std::string_view::npos ? next : next - at - 1);
        if (mod == "jitter") {
            spec.jitter = kDefaultJitter;
        } else if (mod.starts_with("jitter:")) {
            spec.jitter = parse_jitter(mod.substr(7));
        } else if (mod == "buggify") {
            spec.buggify = true;
        } else {
            throw std::invalid_argument("unknown policy modifier '+" + std::string(mod) + "' in '" + std::string(text) +
                                        "' (+jitter[:DUR], +buggify)");
        }
        at = next;
    }
    if (base == "fifo") {
        if (spec.jitter != 0 || spec.buggify) {
            throw std::invalid_argument("fifo takes no modifiers (it is CPython's schedule), got '" + std::string(text) + "'");
        }
        return spec;
    }
    if (base == "random") {
        spec.kind = PolicySpec::Kind::kRandom;
        return spec;
    }
    if (base == "replay") {
        spec.kind = PolicySpec::Kind::kReplay;
        return spec;
    }
    if (base == "pct" || base.starts_with("pct:")) {
        spec.kind = PolicySpec::Kind::kPct;
        if (base.size() > 4) {
            const std::string_view rest = base.substr(4);
            const std::size_t colon = rest.find(':');
            const std::string_view digits = rest.substr(0, colon);
            std::uint32_t d = 0;
            if (!parse_uint(digits, d) || d < 1 || d > 100) {
                throw std::invalid_argument("bad pct depth '" + std::string(digits) + "' (want pct:D with 1 <= D <= 100)");
            }
            spec.depth = d;
            if (colon != std::string_view::npos) {
                std::uint64_t h = 0;
                const std::string_view hs = rest.substr(colon + 1);
                if (!parse_uint(hs, h) || h < 1 || h > 100'000'000) {
                    throw std::invalid_argument("bad pct horizon '" + std::string(hs) +
                                                "' (want pct:D:H with 1 <= H <= 100000000)");
                }
                spec.horizon = h;
            }
        }
        return spec;
    }
    throw std::invalid_argument("unknown policy '" + std::string(text) +
                                "' (fifo|random|pct[:D[:H]]|replay, optionally +jitter[:DUR] and +buggify)");
}

std::uint32_t ExploringPolicy::choose(const ChoicePoint& point) {
    switch (point.kind) {
        case ChoiceKind::kRunnable: return choose_runnable(point);
        case ChoiceKind::kTimerJitter:
            // Most timers fire on time; one in four is late by a uniform 1/8..8/8 of the jitter.
            return rng_.below(4) == 0 ? static_cast<std::uint32_t>(1 + rng_.below(point.n - 1)) : 0;
        case ChoiceKind::kBuggify: return rng_.below(100) < point.percent ? 1 : 0;
        // Uniform over the link's latency range: reordering across connections needs the tails.
        case ChoiceKind::kDelay: return static_cast<std::uint32_t>(rng_.below(point.n));
        // Rare, so a run keeps going between faults; each kind of fault equally likely.
        case ChoiceKind::kFault:
            return rng_.below(100) < kFaultPercent ? static_cast<std::uint32_t>(1 + rng_.below(point.n - 1)) : 0;
    }
    return 0;
}

std::string ExploringPolicy::suffix() const {
    PolicySpec s;
    s.jitter = jitter_;
    s.buggify = buggify_;
    return s.str().substr(4);  // drop "fifo"
}

PctPolicy::PctPolicy(std::uint64_t seed, std::uint32_t depth, std::uint64_t horizon, Nanos jitter,
                     bool buggify) noexcept
    : ExploringPolicy(seed, jitter, buggify), depth_(depth), horizon_(horizon != 0 ? horizon : kDefaultPctHorizon) {
    for (std::uint32_t i = 1; i < depth_; ++i) change_points_.push_back(1 + rng_.below(horizon_));
    std::sort(change_points_.begin(), change_points_.end());
}

std::string PctPolicy::name() const {
    return "pct:" + std::to_string(depth_) + ":" + std::to_string(horizon_) + suffix();
}

std::uint64_t PctPolicy::priority(std::uint32_t task) {
    // Initial priorities have the top bit set, so every demoted one (a small count) is lower.
    if (task == 0) return rng_.next() | (1ULL << 63);
    auto [it, fresh] = priority_.try_emplace(task, 0);
    if (fresh) it->second = rng_.next() | (1ULL << 63);
    return it->second;
}

std::uint32_t PctPolicy::choose_runnable(const ChoicePoint& point) {
    ++step_;
    std::vector<std::uint64_t> prio(point.n);
    for (std::uint32_t i = 0; i < point.n; ++i) prio[i] = priority(point.task(i));
    const auto best = [&] {
        return static_cast<std::uint32_t>(std::max_element(prio.begin(), prio.end()) - prio.begin());
    };
    std::uint32_t pick = best();
    while (!change_points_.empty() && change_points_.front() <= step_) {
        change_points_.erase(change_points_.begin());
        // Demote the task about to run below every initial priority; later change points demote
        // further down, as the paper's priorities d-1, ..., 1 do.
        const std::uint64_t low = depth_ - (++demotions_);
        const std::uint32_t task = point.task(pick);
        if (task != 0) priority_[task] = low;
        prio[pick] = low;
        pick = best();
    }
    return pick;
}

std::unique_ptr<Policy> make_policy(const PolicySpec& spec, std::uint64_t seed, std::vector<std::uint32_t> choices) {
    switch (spec.kind) {
        case PolicySpec::Kind::kFifo: return nullptr;
        case PolicySpec::Kind::kRandom: return std::make_unique<RandomPolicy>(seed, spec.jitter, spec.buggify);
        case PolicySpec::Kind::kPct:
            return std::make_unique<PctPolicy>(seed, spec.depth, spec.horizon, spec.jitter, spec.buggify);
        case PolicySpec::Kind::kReplay:
            return std::make_unique<ReplayPolicy>(std::move(choices), spec.jitter, spec.buggify);
    }
    return nullptr;
}

}  // namespace corosim::sched
