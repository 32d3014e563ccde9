// Repro lines, failure signatures and the RunSpec printer (issue 12).
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <sstream>

#include "corosim/checker/properties.hpp"
#include "corosim/checker/repro.hpp"
#include "corosim/checker/signature.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::checker {
namespace {

// Typed parameters over the integer ones the fuzzer draws (issue 14): flags, enums, scaled reals.
enum class Mode { kFast, kSlow, kBroken };

TEST(ScenarioParams, FlagEnumAndScaled) {
    const scenarios::ParamSpec f = scenarios::flag_param("slow", true, "a flag");
    EXPECT_EQ(f.min, 0);
    EXPECT_EQ(f.max, 1);
    EXPECT_EQ(f.def, 1);
    const scenarios::ParamSpec e = scenarios::enum_param("mode", Mode::kBroken, Mode::kSlow, "an enum");
    EXPECT_EQ(e.max, 2);
    EXPECT_EQ(e.def, 1);
    scenarios::ScenarioArgs a;
    a.params = {{"slow", 0}, {"mode", 2}, {"ratio_pct", 25}};
    EXPECT_FALSE(a.flag("slow"));
    EXPECT_EQ(a.as<Mode>("mode"), Mode::kBroken);
    EXPECT_DOUBLE_EQ(a.scaled("ratio_pct", 0.01), 0.25);
}

TEST(Repro, ShellQuoteLeavesPlainWordsAndQuotesTheRest) {
    EXPECT_EQ(shell_quote("conn_pool"), "conn_pool");
    EXPECT_EQ(shell_quote("./build/cli/corosim"), "./build/cli/corosim");
    EXPECT_EQ(shell_quote("clients=2"), "clients=2");
    EXPECT_EQ(shell_quote("/opt/my sims/run"), "'/opt/my sims/run'");
    EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
    EXPECT_EQ(shell_quote("$HOME;rm"), "'$HOME;rm'");
    EXPECT_EQ(shell_quote(""), "''");
}

TEST(Repro, ChoicesDropTrailingFifoAnswers) {
    EXPECT_EQ(choices_arg({0, 1, 0, 2, 0, 0}), "0,1,0,2");
    EXPECT_EQ(choices_arg({0, 0}), "0");
    EXPECT_EQ(choices_arg({}), "0");
}

RunSpec conn_pool_spec() {
    RunSpec spec;
    spec.scenario = "conn_pool";
    spec.seed = 7;
    spec.policy = "random";
    spec.params = {{"clients", 2}};
    return spec;
}

TEST(Repro, RunLineNamesTheProgramSeedPolicyAndEveryParameter) {
    EXPECT_EQ(repro_command(conn_pool_spec(), "my_sim"), "my_sim run conn_pool --seed 7 --policy random --param clients=2");
    RunSpec shrunk = conn_pool_spec();
    shrunk.policy = "replay";
    shrunk.choices = {0, 1, 0, 0};
    EXPECT_EQ(repro_command(shrunk, "/tmp/a b/my_sim"),
              "'/tmp/a b/my_sim' run conn_pool --seed 7 --param clients=2 --choices 0,1");
    EXPECT_EQ(replay_command("out dir/traces.db", 42, "my_sim"), "my_sim replay --db 'out dir/traces.db' --run 42");
}

TEST(Repro, RunLineNamesAPythonVersionOtherThanTheDefault) {
    RunSpec spec = conn_pool_spec();
    spec.python = PythonVersion::k3_11;
    EXPECT_EQ(repro_command(spec, "my_sim"), "my_sim run conn_pool --seed 7 --policy random --python 3.11 --param clients=2");
    spec.python = PythonVersion::k3_13;
    spec.policy = "replay";
    spec.choices = {1};
    EXPECT_EQ(repro_command(spec, "my_sim"), "my_sim run conn_pool --seed 7 --python 3.13 --param clients=2 --choices 1");
}

TEST(Repro, GoogleTestAndRapidCheckPrintARunSpecAsItsReproLine) {
    const std::string line = repro_command(conn_pool_spec());
    EXPECT_EQ(::testing::PrintToString(conn_pool_spec()), line);
    std::ostringstream rc_shown;
    rc::show(conn_pool_spec(), rc_shown);
    EXPECT_EQ(rc_shown.str(), line);
}

TEST(Signature, RunSpecificIdsDoNotSplitABug) {
    EXPECT_EQ(failure_signature("deadlock", "deadlock: main waits on task Task-3; Task-3 in worker waits on a future"),
              failure_signature("deadlock", "deadlock: main waits on task Task-12; Task-12 in worker waits on a future"));
    EXPECT_NE(failure_signature("fail", "check failed: a"), failure_signature("fail", "check failed: b"));
    EXPECT_NE(failure_signature("fail", "check failed: a"), failure_signature("error", "check failed: a"));
    EXPECT_EQ(normalize_message("at 0x7ffe12ab, Task-12 saw 300"), "at 0xN, Task-N saw N");
}

TEST(Signature, TheFirstViolationIsTheSignatureNotWhatFollowed) {
    EXPECT_EQ(failure_signature("fail", "check failed: pool drained; later: deadlock: main waits on task Task-1"),
              failure_signature("fail", "check failed: pool drained; later: exception escaped main: ValueError('x')"));
}

TEST(CheckSchedules, ExploresParametersAndPrintsTheReproLine) {
    // planted_check_then_act fails only when two withdrawals overdraw: at its defaults
    // (balance 10, amount 10) a schedule can find it; check_schedules must report the line.
    const scenarios::Scenario* s = scenarios::all_scenarios().find("planted_check_then_act");
    ASSERT_NE(s, nullptr);
    const std::string failure = check_schedules(*s, 50);
    EXPECT_NE(failure.find("check failed: balance never goes negative"), std::string::npos) << failure;
    EXPECT_NE(failure.find("\n  reproduce: corosim run planted_check_then_act --seed "), std::string::npos) << failure;
}

}  // namespace
}  // namespace corosim::checker
