#include "corosim/checker/explore.hpp"

#include <algorithm>

#include "corosim/scheduler/exhaustive.hpp"

namespace corosim::checker {

ExploreResult explore(const scenarios::Scenario& scenario, const RunSpec& base, const ExploreOptions& options) {
    ExploreResult result;
    sched::ExhaustiveSearch search(options.preemptions, options.reduction);
    for (;;) {
        std::unique_ptr<Policy> policy = search.policy();
        LoopOptions loop;
        loop.policy = policy.get();
        loop.trace_level = TraceLevel::kOff;
        loop.compat = Compat::for_version(base.python);
        loop.max_steps = scenario.max_steps != 0 ? std::min(scenario.max_steps, base.max_steps) : base.max_steps;
        scenarios::Context ctx{base.params, base.seed};
        RunResult run_result = run([&scenario, &ctx] { return scenario.make(ctx); }, loop);
        if (scenario.expect != Outcome::kPass && run_result.outcome == scenario.expect) run_result.outcome = Outcome::kPass;
        if (search.diverged()) {
            result.diverged = true;
            break;
        }
        if (search.last_run_counted()) {
            ++result.schedules;
            if (run_result.outcome != Outcome::kPass) {
                RunSpec spec = base;
                spec.policy = "replay";
                spec.choices = search.path();
                result.failure = spec;
                // The run as replay gives it (same choices, same trace), with its full trace.
                spec.level = TraceLevel::kFull;
                result.failing_run = run_spec(scenario, spec);
                break;
            }
        }
        if (!search.advance()) {
            result.complete = true;
            break;
        }
        if (result.schedules >= options.max_schedules) break;
    }
    result.pruned = search.pruned();
    return result;
}

}  // namespace corosim::checker
