// Properties of cancellation, TaskGroup and exception groups over any schedule (issue 4).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>

#include "corosim/checker/runner.hpp"
#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim {
namespace {

// Any params within range, any non-FIFO policy, any seed, for the named scenario.
checker::RunSpec gen_spec_for(const std::string& name) {
    const scenarios::Scenario& s = *scenarios::builtin_registry().find(name);
    checker::RunSpec spec = checker::default_spec(s);
    for (const auto& p : s.params) spec.params[p.name] = *rc::gen::inRange<std::int64_t>(p.min, p.max + 1);
    spec.policy = *rc::gen::element<std::string>("fifo", "random", "pct:2", "pct:4");
    spec.seed = *rc::gen::arbitrary<std::uint64_t>();
    return spec;
}

void assert_passes(const checker::RunSpec& spec) {
    const RunResult r = checker::run_spec(*scenarios::builtin_registry().find(spec.scenario), spec);
    RC_LOG() << r.message << "\n";
    RC_ASSERT(r.outcome == Outcome::kPass);
    RC_ASSERT(r.frames_created == r.frames_destroyed);
}

// The scenario checks, for every worker, that its cleanup started once and then either
// completed or recorded the CancelledError that interrupted it.
RC_GTEST_PROP(TryFinally, CleanupRunsOnceOrRecordsTheCancellationThatInterruptedIt, ()) {
    assert_passes(gen_spec_for("cancel_in_finally"));
}

// The scenario checks that no child is pending after the group and that the group's leaves
// are exactly the errors children (and the body) raised, cancellations excluded.
RC_GTEST_PROP(TaskGroupProps, NeverExitsWithAPendingChildAndGroupsExactlyTheFailures, ()) {
    assert_passes(gen_spec_for("taskgroup_fail_fast"));
}

RC_GTEST_PROP(TimeoutProps, ConversionFollowsTheUncancelBookkeeping, ()) { assert_passes(gen_spec_for("timeout_race")); }

RC_GTEST_PROP(ShieldProps, ShieldedTaskCompletesAndWaitForCancelsOnTimeout, ()) {
    assert_passes(gen_spec_for("shield_wait_for"));
}

// A random exception tree: leaves are ValueError/TypeError/KeyError/CancelledError.
std::exception_ptr gen_tree(int depth) {
    const int kind = *rc::gen::inRange(0, depth > 0 ? 5 : 4);
    const std::string msg = std::to_string(*rc::gen::inRange(0, 100));
    switch (kind) {
        case 0: return std::make_exception_ptr(ValueError(msg));
        case 1: return std::make_exception_ptr(TypeError(msg));
        case 2: return std::make_exception_ptr(KeyError(msg));
        case 3: return std::make_exception_ptr(CancelledError(msg));
        default: {
            std::vector<std::exception_ptr> members;
            const int n = *rc::gen::inRange(1, 4);
            for (int i = 0; i < n; ++i) members.push_back(gen_tree(depth - 1));
            return make_exception_group("g" + msg, members);
        }
    }
}

RC_GTEST_PROP(ExceptionGroups, SplitPartitionsTheLeaves, ()) {
    std::vector<std::exception_ptr> members;
    const int n = *rc::gen::inRange(1, 5);
    for (int i = 0; i < n; ++i) members.push_back(gen_tree(3));
    const std::exception_ptr eg = make_exception_group("top", members);
    const int which = *rc::gen::inRange(0, 3);
    const ExceptionPredicate cond = which == 0   ? instance_of<ValueError>()
                                    : which == 1 ? instance_of<ValueError, CancelledError>()
                                                 : instance_of<KeyError>();
    auto [match, rest] = split(eg, cond);
    std::vector<std::exception_ptr> parts = leaves(match);
    for (auto& l : leaves(rest)) parts.push_back(l);
    std::vector<std::exception_ptr> all = leaves(eg);
    RC_ASSERT(parts.size() == all.size());
    for (const auto& l : all) RC_ASSERT(std::count(parts.begin(), parts.end(), l) == 1);
    for (const auto& l : leaves(match)) RC_ASSERT(cond(l));
    for (const auto& l : leaves(rest)) RC_ASSERT(!cond(l));
    // A part with only Exceptions is an ExceptionGroup; one holding a BaseException is not (E1, E4).
    for (const auto& part : {match, rest}) {
        if (!part) continue;
        const auto ls = leaves(part);
        const bool all_exceptions = std::all_of(ls.begin(), ls.end(), [](const auto& l) { return is_exception(l); });
        RC_ASSERT(is_exception(part) == all_exceptions);
    }
}

}  // namespace
}  // namespace corosim
