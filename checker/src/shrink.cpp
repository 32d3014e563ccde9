#include "corosim/checker/shrink.hpp"

#include <rapidcheck.h>

#include <algorithm>
#include <numeric>
#include <optional>

#include "corosim/checker/signature.hpp"
#include "corosim/scheduler/policies.hpp"

namespace corosim::checker {

std::size_t non_default_choices(const std::vector<std::uint32_t>& choices) {
    return static_cast<std::size_t>(std::count_if(choices.begin(), choices.end(), [](std::uint32_t c) { return c != 0; }));
}

namespace {

struct Attempt {
    bool fails = false;  // with the original's signature: a different bug is not a smaller one
    RunResult result;
};

// (non-default choices, sum of choices): what "smaller" means for a schedule.
std::pair<std::size_t, std::uint64_t> weight(const std::vector<std::uint32_t>& choices) {
    return {non_default_choices(choices), std::accumulate(choices.begin(), choices.end(), std::uint64_t{0})};
}

class Shrinker {
public:
    Shrinker(const scenarios::Scenario& s, std::size_t budget) : scenario_(s), budget_(budget) {}

    Attempt attempt(const RunSpec& spec) {
        ++runs_;
        Attempt a;
        a.result = run_spec(scenario_, spec);
        a.fails = a.result.outcome != Outcome::kPass &&
                  failure_signature(outcome_name(a.result.outcome), a.result.message) == signature_;
        return a;
    }
    void set_signature(std::string s) { signature_ = std::move(s); }
    bool exhausted() const { return runs_ >= budget_; }
    std::size_t runs() const { return runs_; }

    // Greedy: for each parameter, take the first RapidCheck shrink that still fails; then pairs
    // of parameters move down together by the same amount (a bug that needs `timeout < latency`
    // keeps their difference); repeat until a full pass changes nothing.
    RunSpec shrink_params(RunSpec spec) {
        bool progress = true;
        while (progress && !exhausted()) {
            progress = false;
            for (const auto& p : scenario_.params) {
                auto candidates = rc::shrink::towards<std::int64_t>(spec.params[p.name], p.min);
                progress |= take_first(spec, candidates, [&](RunSpec& c, std::int64_t v) { c.params[p.name] = v; });
            }
            for (std::size_t i = 0; i < scenario_.params.size(); ++i) {
                for (std::size_t j = i + 1; j < scenario_.params.size(); ++j) {
                    const auto& p = scenario_.params[i];
                    const auto& q = scenario_.params[j];
                    const std::int64_t room = std::min(spec.params[p.name] - p.min, spec.params[q.name] - q.min);
                    if (room <= 0) continue;
                    // towards(room, 0) proposes how much room to keep: 0 first, then halves.
                    auto keep = rc::shrink::towards<std::int64_t>(room, 0);
                    progress |= take_first(spec, keep, [&](RunSpec& c, std::int64_t k) {
                        c.params[p.name] -= room - k;
                        c.params[q.name] -= room - k;
                    });
                }
            }
        }
        return spec;
    }

    // First the timing noise: delays and jitter each matter a little, so zeroing them one chunk
    // of mixed choices at a time keeps most of them (a buggify run of a network scenario kept
    // 24-142 delays). So each of those kinds is tried all at once, then in halves, quarters...
    // (ddmin over that kind's positions only); then ddmin over every non-default choice: zero
    // out chunks while it still fails; then each remaining choice tries smaller values (a later
    // option of a big batch may be replaceable by an earlier one).
    std::vector<std::uint32_t> shrink_choices(const RunSpec& base, std::vector<std::uint32_t> choices) {
        const std::vector<ChoiceKind> noise = {ChoiceKind::kDelay, ChoiceKind::kTimerJitter};
        for (const std::vector<ChoiceKind>& kinds : {noise, {ChoiceKind::kDelay}, {ChoiceKind::kTimerJitter}}) {
            ddmin(base, choices, 1, [&](const std::vector<std::uint32_t>& c) { return positions_of(base, c, kinds); });
        }
        ddmin(base, choices, 2, [](const std::vector<std::uint32_t>& c) {
            std::vector<std::size_t> live;
            for (std::size_t i = 0; i < c.size(); ++i)
                if (c[i] != 0) live.push_back(i);
            return live;
        });
        for (std::size_t i = 0; i < choices.size() && !exhausted(); ++i) {
            if (choices[i] <= 1) continue;
            auto smaller = rc::shrink::towards<std::uint32_t>(choices[i], 1);
            while (auto v = smaller.next()) {
                if (exhausted()) break;
                std::vector<std::uint32_t> candidate = choices;
                candidate[i] = *v;
                if (try_choices(base, candidate, choices)) break;
            }
        }
        while (!choices.empty() && choices.back() == 0) choices.pop_back();  // replay's default
        return choices;
    }

    // A failure that needs a fault at a parameter's time (a partition at `partition_at_ms`) keeps
    // its delays under ddmin: zeroing them moves the run's timeline off the fault, so no chunk can
    // go. Here every delay and jitter goes at once while one parameter at a time moves to a
    // smaller value (up to kSweep of them, evenly spaced from its minimum, smallest first) that
    // puts the fault back on the quieter timeline. Nothing grows: the candidate's parameters are
    // all at most the failing run's, so a fault the run did not have is never added. Returns the
    // failing candidate with what it chose, or nothing when no value fails or there is no noise.
    std::optional<RunSpec> retime(const RunSpec& spec, const std::vector<std::uint32_t>& choices) {
        if (exhausted()) return std::nullopt;
        const std::vector<std::size_t> noise =
            positions_of(spec, choices, {ChoiceKind::kDelay, ChoiceKind::kTimerJitter});
        if (noise.empty()) return std::nullopt;
        std::vector<std::uint32_t> quiet = choices;
        for (const std::size_t i : noise) quiet[i] = 0;
        const std::size_t stop_at = std::min(budget_, runs_ + budget_ / 4);  // the sweep's share
        const auto fails_quietly = [&](RunSpec candidate) -> std::optional<RunSpec> {
            candidate.policy = sched::parse_policy(spec.policy).as_replay().str();
            candidate.choices = quiet;
            Attempt a = attempt(candidate);
            if (!a.fails || weight(a.result.choices) >= weight(choices)) return std::nullopt;
            candidate.choices = std::move(a.result.choices);
            return candidate;
        };
        if (auto same = fails_quietly(spec)) return same;  // the delays did not matter at all
        const auto sweep = [&]() -> std::optional<RunSpec> {
            for (const auto& p : scenario_.params) {
                const auto at = spec.params.find(p.name);
                if (at == spec.params.end() || at->second <= p.min) continue;
                const std::uint64_t span = static_cast<std::uint64_t>(at->second) - static_cast<std::uint64_t>(p.min);
                const std::uint64_t steps = std::min<std::uint64_t>(span, kSweep);
                const std::uint64_t step = span / steps;
                for (std::uint64_t k = 0; k < steps && runs_ < stop_at; ++k) {
                    RunSpec candidate = spec;
                    candidate.params[p.name] = static_cast<std::int64_t>(static_cast<std::uint64_t>(p.min) + step * k);
                    if (auto found = fails_quietly(std::move(candidate))) return found;
                }
            }
            return std::nullopt;
        };
        // The faults and orderings the noisy run drew were drawn for its timeline too: the sweep
        // tries the quiet run with them, then the FIFO run (every choice default).
        if (auto found = sweep()) return found;
        quiet.assign(choices.size(), 0);
        return sweep();
    }

private:
    static constexpr std::uint64_t kSweep = 32;

    // ddmin over the positions `live_of(choices)` returns, starting with `n` chunks.
    template <typename LiveOf>
    void ddmin(const RunSpec& base, std::vector<std::uint32_t>& choices, std::size_t n, LiveOf live_of) {
        for (;;) {
            if (exhausted()) break;
            const std::vector<std::size_t> live = live_of(choices);
            if (live.empty()) break;
            n = std::min(n, live.size());
            const std::size_t chunk = (live.size() + n - 1) / n;
            bool reduced = false;
            for (std::size_t start = 0; start < live.size() && !exhausted(); start += chunk) {
                std::vector<std::uint32_t> candidate = choices;
                for (std::size_t k = start; k < std::min(live.size(), start + chunk); ++k) candidate[live[k]] = 0;
                if (try_choices(base, candidate, choices)) {
                    n = std::max<std::size_t>(n - 1, 1);
                    reduced = true;
                    break;
                }
            }
            if (!reduced) {
                if (n >= live.size()) break;
                n = std::min(live.size(), n * 2);
            }
        }
    }

    // The positions of the non-default choices of one of `kinds` in `choices`: a replay at the full
    // trace level records one choice event, with its kind, per non-default choice, in order.
    std::vector<std::size_t> positions_of(const RunSpec& base, const std::vector<std::uint32_t>& choices,
                                          const std::vector<ChoiceKind>& kinds) {
        RunSpec spec = base;
        spec.policy = sched::parse_policy(base.policy).as_replay().str();
        spec.choices = choices;
        spec.level = TraceLevel::kFull;
        ++runs_;
        const RunResult r = run_spec(scenario_, spec);
        std::vector<std::size_t> out;
        std::size_t next = 0;  // the next non-default position of r.choices
        for (const auto& e : r.trace.events()) {
            if (e.kind != EventKind::kChoice) continue;
            while (next < r.choices.size() && r.choices[next] == 0) ++next;
            if (next >= r.choices.size()) break;
            const auto kind = static_cast<ChoiceKind>(static_cast<std::uint64_t>(e.b) >> 32);
            if (std::find(kinds.begin(), kinds.end(), kind) != kinds.end()) out.push_back(next);
            ++next;
        }
        // The run chose what it was given (same prefix), so its positions index `choices` too.
        std::erase_if(out, [&](std::size_t i) { return i >= choices.size() || choices[i] == 0; });
        return out;
    }

    template <typename Seq, typename Apply>
    bool take_first(RunSpec& spec, Seq& candidates, Apply apply) {
        while (auto next = candidates.next()) {
            if (exhausted()) return false;
            RunSpec candidate = spec;
            apply(candidate, *next);
            if (attempt(candidate).fails) {
                spec = candidate;
                return true;
            }
        }
        return false;
    }

    // Replays `candidate`; keeps what the run actually chose when it fails the same way and is
    // smaller than `best`.
    bool try_choices(const RunSpec& base, const std::vector<std::uint32_t>& candidate, std::vector<std::uint32_t>& best) {
        RunSpec spec = base;
        spec.policy = sched::parse_policy(base.policy).as_replay().str();
        spec.choices = candidate;
        const Attempt a = attempt(spec);
        if (!a.fails || weight(a.result.choices) >= weight(best)) return false;
        best = a.result.choices;
        return true;
    }

    const scenarios::Scenario& scenario_;
    std::size_t budget_;
    std::size_t runs_ = 0;
    std::string signature_;
};

}  // namespace

ShrinkResult shrink(const scenarios::Scenario& scenario, const RunSpec& failing, std::size_t budget) {
    Shrinker s(scenario, budget);
    RunSpec original = failing;
    original.level = TraceLevel::kOff;
    const RunResult first = run_spec(scenario, original);
    s.set_signature(failure_signature(outcome_name(first.outcome), first.message));
    RunSpec spec = first.outcome == Outcome::kPass ? original : s.shrink_params(original);
    const Attempt now = s.attempt(spec);
    RunSpec best = spec;
    if (now.fails && spec.policy != "fifo") {
        std::vector<std::uint32_t> start = now.result.choices;
        if (std::optional<RunSpec> retimed = s.retime(spec, start)) {
            // Its parameters may shrink further on the quiet timeline; it replays its choices.
            spec = s.shrink_params(std::move(*retimed));
            start = spec.choices;
        }
        const auto choices = s.shrink_choices(spec, start);
        RunSpec replay = spec;
        replay.policy = sched::parse_policy(spec.policy).as_replay().str();
        replay.choices = choices;
        if (s.attempt(replay).fails) best = replay;
    }
    best.level = TraceLevel::kFull;
    ShrinkResult out;
    const RunResult final_run = run_spec(scenario, best);
    out.spec = best;
    out.spec.level = TraceLevel::kSummary;
    out.report = make_report(final_run, true);
    out.runs = s.runs() + 2;
    return out;
}

}  // namespace corosim::checker
