// The network's drawn faults through the checker: the lease example at its default parameters
// (no scheduled fault) fails only when the explorer injects a fault, and shrinking keeps the
// fault that matters while the delays and jitters around it go (docs/network.md).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "corosim/checker/shrink.hpp"
#include "corosim/checker/signature.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::checker {
namespace {

RunResult run_with(const scenarios::Scenario& s, const std::string& policy, std::uint64_t seed) {
    RunSpec spec = default_spec(s, policy, seed);
    spec.level = TraceLevel::kOff;
    return run_spec(s, spec);
}

// Non-default choices of a run by kind ("fault", "delay", ...), from its full trace.
std::map<ChoiceKind, int> kinds_of(const scenarios::Scenario& s, RunSpec spec) {
    spec.level = TraceLevel::kFull;
    std::map<ChoiceKind, int> out;
    const RunResult r = run_spec(s, spec);
    for (const auto& e : r.trace.events()) {
        if (e.kind == EventKind::kChoice) ++out[static_cast<ChoiceKind>(static_cast<std::uint64_t>(e.b) >> 32)];
    }
    return out;
}

TEST(NetFaults, ALeaseBugFoundByDrawnFaultsShrinksToItsFaults) {
    const scenarios::Scenario& s = *scenarios::all_scenarios().find("planted_lease_unfenced");
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
        ASSERT_EQ(run_with(s, "random", seed).outcome, Outcome::kPass) << "no fault without +buggify";
    }
    std::uint64_t seed = 0;
    for (std::uint64_t k = 1; k <= 400 && seed == 0; ++k) {
        if (run_with(s, "random+jitter+buggify", k).outcome != Outcome::kPass) seed = k;
    }
    ASSERT_NE(seed, 0U) << "a drawn partition or clog holds a PUT past its lease";
    const RunSpec failing = default_spec(s, "random+jitter+buggify", seed);
    const std::map<ChoiceKind, int> before = kinds_of(s, failing);
    const ShrinkResult shrunk = shrink(s, failing, 400);
    EXPECT_EQ(shrunk.report.outcome, "fail");
    const std::map<ChoiceKind, int> after = kinds_of(s, shrunk.spec);
    const auto count = [](const std::map<ChoiceKind, int>& m, ChoiceKind k) {
        auto it = m.find(k);
        return it == m.end() ? 0 : it->second;
    };
    RecordProperty("faults", std::to_string(count(before, ChoiceKind::kFault)) + " -> " +
                                 std::to_string(count(after, ChoiceKind::kFault)));
    RecordProperty("delays", std::to_string(count(before, ChoiceKind::kDelay)) + " -> " +
                                 std::to_string(count(after, ChoiceKind::kDelay)));
    std::printf("seed %llu: faults %d -> %d, delays %d -> %d, jitters %d -> %d, orderings %d -> %d\n",
                static_cast<unsigned long long>(seed), count(before, ChoiceKind::kFault),
                count(after, ChoiceKind::kFault), count(before, ChoiceKind::kDelay), count(after, ChoiceKind::kDelay),
                count(before, ChoiceKind::kTimerJitter), count(after, ChoiceKind::kTimerJitter),
                count(before, ChoiceKind::kRunnable), count(after, ChoiceKind::kRunnable));
    EXPECT_GE(count(after, ChoiceKind::kFault), 1);
    EXPECT_LE(count(after, ChoiceKind::kFault), 2);
}

// The datagram counter fails only when a request or an answer is lost or duplicated; shrinking
// leaves the one loss or duplicate that makes an increment count twice.
TEST(NetFaults, ADatagramCounterBugShrinksToOneLossOrDuplicate) {
    const scenarios::Scenario& s = *scenarios::all_scenarios().find("planted_udp_counter_dup");
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        ASSERT_EQ(run_with(s, "random+jitter", seed).outcome, Outcome::kPass) << "no loss without +buggify";
    }
    std::uint64_t seed = 0;
    for (std::uint64_t k = 1; k <= 100 && seed == 0; ++k) {
        if (run_with(s, "random+jitter+buggify", k).outcome != Outcome::kPass) seed = k;
    }
    ASSERT_NE(seed, 0U) << "a duplicated request or a lost answer counts twice";
    const RunSpec failing = default_spec(s, "random+jitter+buggify", seed);
    const ShrinkResult shrunk = shrink(s, failing, 400);
    EXPECT_EQ(shrunk.report.outcome, "fail");
    const std::map<ChoiceKind, int> after = kinds_of(s, shrunk.spec);
    auto it = after.find(ChoiceKind::kBuggify);
    EXPECT_EQ(it == after.end() ? 0 : it->second, 1);
    it = after.find(ChoiceKind::kDelay);
    EXPECT_EQ(it == after.end() ? 0 : it->second, 0);
    // The shrunk run replays bit-exactly.
    EXPECT_EQ(run_spec(s, shrunk.spec).trace_hash, run_spec(s, shrunk.spec).trace_hash);
}

}  // namespace
}  // namespace corosim::checker
