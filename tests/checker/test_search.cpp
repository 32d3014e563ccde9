// The search (issue 10): independent parameters, PCT's depth, timer jitter and buggify as
// recorded choices, the signature-keeping shrinker, and bounded exhaustive exploration.
#include <gtest/gtest.h>

#include <set>

#include "corosim/checker/campaign.hpp"
#include "corosim/checker/explore.hpp"
#include "corosim/checker/repro.hpp"
#include "corosim/checker/shrink.hpp"
#include "corosim/checker/signature.hpp"
#include "corosim/scenarios/registry.hpp"
#include "corosim/scheduler/policies.hpp"

namespace corosim::checker {
namespace {

const scenarios::Scenario& scenario(std::string_view name) {
    const scenarios::Scenario* s = scenarios::all_scenarios().find(name);
    if (s == nullptr) throw std::runtime_error("no scenario " + std::string(name));
    return *s;
}

RunResult run_with(const scenarios::Scenario& s, const std::string& policy, std::uint64_t seed,
                   std::vector<std::uint32_t> choices = {}) {
    RunSpec spec = default_spec(s, policy, seed);
    spec.choices = std::move(choices);
    spec.level = TraceLevel::kOff;
    return run_spec(s, spec);
}

std::string signature_of(const RunResult& r) { return failure_signature(outcome_name(r.outcome), r.message); }

TEST(Params, SameRangeParametersAreDrawnIndependentlyAndReachTheirEdgesEarly) {
    const auto& s = scenario("planted_double_release");  // work_ms and cancel_ms, both 0..2000
    CampaignOptions options;
    options.policies = {"random"};
    std::size_t equal = 0;
    std::size_t less = 0;
    std::set<std::int64_t> early_work;
    const std::size_t n = 2000;
    for (std::uint64_t i = 1; i <= n; ++i) {
        const RunSpec spec = campaign_spec(s, options, i);
        const std::int64_t work = spec.params.at("work_ms");
        const std::int64_t cancel = spec.params.at("cancel_ms");
        equal += work == cancel ? 1 : 0;
        less += cancel < work ? 1 : 0;
        if (i <= 40) early_work.insert(work);
    }
    EXPECT_LT(equal, n / 10) << "parameters with the same range must not move together";
    EXPECT_GT(less, n / 3) << "a relation between two parameters holds on a large part of the runs";
    EXPECT_TRUE(early_work.contains(0)) << "the minimum shows up within the first 40 runs";
    EXPECT_TRUE(early_work.contains(2000)) << "the maximum shows up within the first 40 runs";
}

TEST(Pct, DepthTwoBugIsFoundByPct2AndNeverByPct1) {
    const auto& s = scenario("planted_two_orderings");
    const std::uint64_t horizon = run_with(s, "random", 1).choices.size();
    ASSERT_GE(horizon, 2U);
    int pct1 = 0;
    int pct2 = 0;
    const int seeds = 400;
    for (int seed = 1; seed <= seeds; ++seed) {
        pct1 += run_with(s, "pct:1:" + std::to_string(horizon), seed).outcome != Outcome::kPass ? 1 : 0;
        pct2 += run_with(s, "pct:2:" + std::to_string(horizon), seed).outcome != Outcome::kPass ? 1 : 0;
    }
    EXPECT_EQ(pct1, 0) << "with no change point a task keeps its priority: the order never flips";
    // PCT's bound for depth 2 with n = 2 tasks and H choice points: 1 / (n * H).
    EXPECT_GE(pct2, seeds / static_cast<int>(2 * horizon)) << "pct:2 finds it at least as often as PCT guarantees";
}

TEST(Pct, DepthChangesTheSchedules) {
    const auto& s = scenario("planted_check_then_act");
    int differ = 0;
    for (int seed = 1; seed <= 100; ++seed) {
        differ += run_with(s, "pct:2:8", seed).trace_hash != run_with(s, "pct:3:8", seed).trace_hash ? 1 : 0;
    }
    EXPECT_GT(differ, 5);
}

// Runs seeds until one fails; returns its seed (0 if none within `limit`).
std::uint64_t first_failing_seed(const scenarios::Scenario& s, const std::string& policy, std::uint64_t limit) {
    for (std::uint64_t seed = 1; seed <= limit; ++seed) {
        if (run_with(s, policy, seed).outcome != Outcome::kPass) return seed;
    }
    return 0;
}

void expect_replays_and_shrinks(const scenarios::Scenario& s, const std::string& policy, std::uint64_t seed) {
    const RunResult original = run_with(s, policy, seed);
    ASSERT_NE(original.outcome, Outcome::kPass);
    // The recorded choices alone reproduce the run bit-exactly (jitter and faults included).
    const std::string replay = sched::parse_policy(policy).as_replay().str();
    const RunResult again = run_with(s, replay, 0, original.choices);
    EXPECT_EQ(again.trace_hash, original.trace_hash);
    EXPECT_EQ(again.choices, original.choices);
    RunSpec failing = default_spec(s, policy, seed);
    const ShrinkResult shrunk = shrink(s, failing, 400);
    EXPECT_EQ(failure_signature(shrunk.report.outcome, shrunk.report.message), signature_of(original));
    EXPECT_LE(non_default_choices(shrunk.report.choices), non_default_choices(original.choices));
    EXPECT_GE(non_default_choices(shrunk.report.choices), 1U) << "the fault or delay that matters stays";
    RunSpec again_spec = shrunk.spec;
    again_spec.level = TraceLevel::kOff;
    const RunResult shrunk_again = run_spec(s, again_spec);
    EXPECT_EQ(hash_hex(shrunk_again.trace_hash), hash_hex(shrunk.report.trace_hash));
    // The repro line keeps the modifiers, so `run` asks the same jitter and buggify questions.
    const std::string line = repro_command(shrunk.spec, "corosim");
    EXPECT_NE(line.find(" --policy " + shell_quote(shrunk.spec.policy)), std::string::npos) << line;
    EXPECT_NE(line.find(" --choices "), std::string::npos) << line;
}

TEST(Jitter, ALateTimerBugNeedsJitterAndReplaysAndShrinks) {
    const auto& s = scenario("planted_late_heartbeat");
    EXPECT_EQ(first_failing_seed(s, "fifo", 1), 0U);
    EXPECT_EQ(first_failing_seed(s, "random", 300), 0U) << "without jitter the beat always lands first";
    const std::uint64_t seed = first_failing_seed(s, "random+jitter", 300);
    ASSERT_NE(seed, 0U) << "jitter delays a beat past the monitor";
    expect_replays_and_shrinks(s, "random+jitter", seed);
}

TEST(Buggify, AFaultPointBugNeedsBuggifyAndReplaysAndShrinks) {
    const auto& s = scenario("planted_lost_reply");
    EXPECT_EQ(first_failing_seed(s, "random", 200), 0U) << "fault points never fire without +buggify";
    const std::uint64_t seed = first_failing_seed(s, "random+buggify", 200);
    ASSERT_NE(seed, 0U);
    expect_replays_and_shrinks(s, "random+buggify", seed);
}

TEST(Policies, SpecsRoundTripAndBadOnesAreRefused) {
    for (const char* text : {"fifo", "random", "pct:3", "pct:2:40", "random+jitter", "random+jitter:5ms+buggify",
                             "pct:2+buggify", "replay+jitter:200us"}) {
        EXPECT_EQ(sched::parse_policy(text).str(), text);
    }
    EXPECT_EQ(sched::parse_policy("pct:2:40+jitter").as_replay().str(), "replay+jitter");
    for (const char* bad : {"pct:0", "pct:2:0", "random+", "random+jitter:0ms", "random+jitter:5", "fifo+jitter",
                            "random+fast", "pct:x"}) {
        EXPECT_THROW(sched::parse_policy(bad), std::invalid_argument) << bad;
    }
}

TEST(Explore, FindsTheCheckThenActRaceWithOnePreemption) {
    const auto& s = scenario("planted_check_then_act");
    ExploreOptions options;
    options.preemptions = 0;
    EXPECT_FALSE(explore(s, default_spec(s), options).failure) << "FIFO alone is correct";
    options.preemptions = 1;
    const ExploreResult r = explore(s, default_spec(s), options);
    ASSERT_TRUE(r.failure);
    EXPECT_EQ(r.failing_run.outcome, Outcome::kFail);
    // The reported choices replay to the same failure.
    const RunResult again = run_with(s, "replay", 0, r.failure->choices);
    EXPECT_EQ(signature_of(again), signature_of(r.failing_run));
}

TEST(Explore, CountsEverySchedulesOfACorrectScenarioAndTheReductionOnlyPrunes) {
    const auto& s = scenario("parallel_sleepers");
    ExploreOptions full;
    full.preemptions = 3;
    full.reduction = false;
    ExploreOptions reduced = full;
    reduced.reduction = true;
    const ExploreResult a = explore(s, default_spec(s), full);
    const ExploreResult b = explore(s, default_spec(s), reduced);
    ASSERT_TRUE(a.complete);
    ASSERT_TRUE(b.complete);
    EXPECT_FALSE(a.failure);
    EXPECT_FALSE(b.failure);
    EXPECT_LT(b.schedules, a.schedules) << "sleep timers commute: the reduction skips their orders";
    EXPECT_GT(b.pruned, 0U);
    // Bounds nest: more preemptions never explore fewer schedules.
    ExploreOptions smaller = full;
    smaller.preemptions = 2;
    EXPECT_LE(explore(s, default_spec(s), smaller).schedules, a.schedules);
}

TEST(Explore, TheReductionMissesNoPlantedOrderingBug) {
    for (const char* name : {"planted_check_then_act", "planted_lost_wakeup", "planted_two_orderings"}) {
        const auto& s = scenario(name);
        RunSpec base = default_spec(s);
        // The lost wakeup needs the producer to publish inside the consumer's window.
        if (base.params.contains("producer_yields")) base.params["producer_yields"] = 1;
        for (const bool reduction : {false, true}) {
            ExploreOptions options;
            options.preemptions = 2;
            options.reduction = reduction;
            EXPECT_TRUE(explore(s, base, options).failure) << name << " reduction=" << reduction;
        }
    }
}

}  // namespace
}  // namespace corosim::checker
