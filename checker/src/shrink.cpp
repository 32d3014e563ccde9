#include "corosim/checker/shrink.hpp"

#include <rapidcheck.h>

#include <algorithm>

namespace corosim::checker {

std::size_t non_default_choices(const std::vector<std::uint32_t>& choices) {
    return static_cast<std::size_t>(std::count_if(choices.begin(), choices.end(), [](std::uint32_t c) { return c != 0; }));
}

namespace {

struct Attempt {
    bool fails = false;
    RunResult result;
};

class Shrinker {
public:
    Shrinker(const scenarios::Scenario& s, std::size_t budget) : scenario_(s), budget_(budget) {}

    Attempt attempt(const RunSpec& spec) {
        ++runs_;
        Attempt a;
        a.result = run_spec(scenario_, spec);
        a.fails = a.result.outcome != Outcome::kPass;
        return a;
    }
    bool exhausted() const { return runs_ >= budget_; }
    std::size_t runs() const { return runs_; }

    // Greedy: for each parameter, take the first RapidCheck shrink that still fails; repeat
    // until a full pass changes nothing.
    RunSpec shrink_params(RunSpec spec) {
        bool progress = true;
        while (progress && !exhausted()) {
            progress = false;
            for (const auto& p : scenario_.params) {
                const std::int64_t value = spec.params[p.name];
                auto candidates = rc::shrink::towards<std::int64_t>(value, p.min);
                while (auto next = candidates.next()) {
                    if (exhausted()) break;
                    RunSpec candidate = spec;
                    candidate.params[p.name] = *next;
                    if (attempt(candidate).fails) {
                        spec = candidate;
                        progress = true;
                        break;
                    }
                }
            }
        }
        return spec;
    }

    // ddmin over the positions of non-default choices: zero out chunks while it still fails.
    std::vector<std::uint32_t> shrink_choices(const RunSpec& base, std::vector<std::uint32_t> choices) {
        std::size_t n = 2;
        for (;;) {
            std::vector<std::size_t> live;
            for (std::size_t i = 0; i < choices.size(); ++i)
                if (choices[i] != 0) live.push_back(i);
            if (live.empty() || exhausted()) break;
            n = std::min(n, live.size());
            const std::size_t chunk = (live.size() + n - 1) / n;
            bool reduced = false;
            for (std::size_t start = 0; start < live.size() && !exhausted(); start += chunk) {
                std::vector<std::uint32_t> candidate = choices;
                for (std::size_t k = start; k < std::min(live.size(), start + chunk); ++k) candidate[live[k]] = 0;
                RunSpec spec = base;
                spec.policy = "replay";
                spec.choices = candidate;
                const Attempt a = attempt(spec);
                if (a.fails && non_default_choices(a.result.choices) < non_default_choices(choices)) {
                    choices = a.result.choices;  // what the run actually chose
                    n = std::max<std::size_t>(n - 1, 2);
                    reduced = true;
                    break;
                }
            }
            if (!reduced) {
                if (n >= live.size()) break;
                n = std::min(live.size(), n * 2);
            }
        }
        while (!choices.empty() && choices.back() == 0) choices.pop_back();  // replay's default
        return choices;
    }

private:
    const scenarios::Scenario& scenario_;
    std::size_t budget_;
    std::size_t runs_ = 0;
};

}  // namespace

ShrinkResult shrink(const scenarios::Scenario& scenario, const RunSpec& failing, std::size_t budget) {
    Shrinker s(scenario, budget);
    RunSpec spec = s.shrink_params(failing);
    spec.level = TraceLevel::kOff;
    const Attempt now = s.attempt(spec);
    RunSpec best = spec;
    if (now.fails && spec.policy != "fifo") {
        const auto choices = s.shrink_choices(spec, now.result.choices);
        RunSpec replay = spec;
        replay.policy = "replay";
        replay.choices = choices;
        replay.level = TraceLevel::kOff;
        if (s.attempt(replay).fails) best = replay;
    }
    best.level = TraceLevel::kFull;
    ShrinkResult out;
    const RunResult final_run = run_spec(scenario, best);
    out.spec = best;
    out.spec.level = TraceLevel::kSummary;
    out.report = make_report(final_run, true);
    out.runs = s.runs() + 1;
    return out;
}

}  // namespace corosim::checker
