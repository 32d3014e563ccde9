// Determinism is the product (DESIGN 7): properties over scenarios, params, policies, seeds.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <set>
#include <thread>

#include "corosim/checker/runner.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim {
namespace {

using checker::RunSpec;
using scenarios::Scenario;

std::vector<const Scenario*> all_scenarios() {
    std::vector<const Scenario*> out;
    // Planted bugs fail (one aborts the process) by design; they are tested through the CLI.
    for (const auto& [name, s] : scenarios::builtin_registry().all()) {
        if (!s.planted) out.push_back(&s);
    }
    return out;
}

// A generated run: any scenario, params within its ranges (small ones, to keep runs short),
// any policy, any seed.
rc::Gen<RunSpec> gen_spec() {
    return rc::gen::exec([] {
        const auto all = all_scenarios();
        const Scenario* s = all[*rc::gen::inRange<std::size_t>(0, all.size())];
        RunSpec spec;
        spec.scenario = s->name;
        spec.params = s->defaults();
        for (const auto& p : s->params) {
            spec.params[p.name] = *rc::gen::inRange<std::int64_t>(p.min, std::min(p.max, p.min + 20) + 1);
        }
        spec.policy = *rc::gen::element<std::string>("fifo", "random", "pct:2", "pct:5");
        if (s->fifo_only) {
            spec.policy = "fifo";
            spec.params = s->defaults();
        }
        spec.seed = *rc::gen::arbitrary<std::uint64_t>();
        spec.level = *rc::gen::element(TraceLevel::kOff, TraceLevel::kSummary, TraceLevel::kFull);
        return spec;
    });
}

const Scenario& scenario_of(const RunSpec& spec) { return *scenarios::builtin_registry().find(spec.scenario); }

RC_GTEST_PROP(Determinism, SameInputsGiveTheSameTraceHash, ()) {
    const RunSpec spec = *gen_spec();
    const RunResult a = checker::run_spec(scenario_of(spec), spec);
    RunSpec other = spec;
    other.level = *rc::gen::element(TraceLevel::kOff, TraceLevel::kSummary, TraceLevel::kFull);
    const RunResult b = checker::run_spec(scenario_of(other), other);
    RC_ASSERT(a.trace_hash == b.trace_hash);  // also across recording levels
    RC_ASSERT(a.choices == b.choices);
    RC_ASSERT(a.steps == b.steps);
    RC_ASSERT(a.outcome == b.outcome);
}

RC_GTEST_PROP(Determinism, TwoLoopsInTwoThreadsDoNotInteract, ()) {
    const RunSpec x = *gen_spec();
    const RunSpec y = *gen_spec();
    const std::uint64_t hx = checker::run_spec(scenario_of(x), x).trace_hash;
    const std::uint64_t hy = checker::run_spec(scenario_of(y), y).trace_hash;
    std::uint64_t tx = 0;
    std::uint64_t ty = 0;
    std::thread t1([&] {
        for (int i = 0; i < 3; ++i) tx = checker::run_spec(scenario_of(x), x).trace_hash;
    });
    std::thread t2([&] {
        for (int i = 0; i < 3; ++i) ty = checker::run_spec(scenario_of(y), y).trace_hash;
    });
    t1.join();
    t2.join();
    RC_ASSERT(tx == hx);
    RC_ASSERT(ty == hy);
}

RC_GTEST_PROP(Determinism, UnderFifoTheSeedDoesNotChangeTheTrace, (std::uint64_t s1, std::uint64_t s2)) {
    RunSpec spec = *gen_spec();
    spec.policy = "fifo";
    spec.seed = s1;
    const RunResult a = checker::run_spec(scenario_of(spec), spec);
    spec.seed = s2;
    const RunResult b = checker::run_spec(scenario_of(spec), spec);
    RC_ASSERT(a.trace_hash == b.trace_hash);
    RC_ASSERT(a.choices.empty());
}

RC_GTEST_PROP(Determinism, ReplayingTheRecordedChoicesReproducesTheRun, ()) {
    RunSpec spec = *gen_spec();
    const RunResult original = checker::run_spec(scenario_of(spec), spec);
    RunSpec again = spec;
    again.policy = "replay";
    again.choices = original.choices;
    const RunResult replayed = checker::run_spec(scenario_of(again), again);
    RC_ASSERT(replayed.trace_hash == original.trace_hash);
    // A FIFO run consults no policy; its replay records the zeros it forced.
    if (spec.policy != "fifo") RC_ASSERT(replayed.choices == original.choices);
}

RC_GTEST_PROP(Frames, EveryRunDestroysEveryFrame, ()) {
    const RunSpec spec = *gen_spec();
    const RunResult r = checker::run_spec(scenario_of(spec), spec);
    RC_LOG() << spec.scenario << " " << spec.policy << " seed=" << spec.seed << ": " << outcome_name(r.outcome) << " "
             << r.message << "\n";
    RC_ASSERT(r.frames_created > 0u);
    RC_ASSERT(r.frames_created == r.frames_destroyed);
    RC_ASSERT(r.outcome == Outcome::kPass);
}

TEST(Policies, RandomPolicyMakesTheRacyCounterReachSeveralFinalValues) {
    const Scenario& s = *scenarios::builtin_registry().find("racy_counter");
    std::set<std::uint64_t> hashes;
    std::set<std::string> finals;
    for (std::uint64_t seed = 0; seed < 100; ++seed) {
        RunSpec spec = checker::default_spec(s, "random", seed);
        const RunResult r = checker::run_spec(s, spec);
        ASSERT_EQ(r.outcome, Outcome::kPass) << r.message;
        const std::string text = r.trace.render_all(false);
        const auto at = text.find("final value=");
        ASSERT_NE(at, std::string::npos);
        finals.insert(text.substr(at, text.find('\n', at) - at));
        hashes.insert(r.trace_hash);
    }
    EXPECT_GT(finals.size(), 1u);
    EXPECT_GT(hashes.size(), 1u);
}

}  // namespace
}  // namespace corosim
