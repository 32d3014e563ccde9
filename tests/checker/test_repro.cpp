// Repro lines, failure signatures and the RunSpec printer (issue 12).
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "corosim/checker/corpus.hpp"
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

scenarios::Scenario flagged_scenario() {
    return {"flagged", "test", "a flag and a count",
            {scenarios::flag_param("slow", false, "a flag"), {"n", 0, 5, 1, "a count"}},
            [](const scenarios::ScenarioArgs&) -> Coro<void> { co_return; }};
}

std::string refusal(const scenarios::Scenario& s, const std::string& assignment) {
    scenarios::Params p;
    try {
        s.apply(p, assignment);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(accepted)";
}

TEST(ScenarioParams, AFlagTakesTrueFalseOneOrZeroAndNothingElse) {
    const scenarios::Scenario s = flagged_scenario();
    for (const auto& [text, want] : std::vector<std::pair<std::string, std::int64_t>>{{"true", 1}, {"1", 1}, {"false", 0}, {"0", 0}}) {
        scenarios::Params p;
        s.apply(p, "slow=" + text);
        EXPECT_EQ(p.at("slow"), want) << text;
    }
    EXPECT_EQ(refusal(s, "slow=yes"), "parameter 'slow' is a flag: true, false, 1 or 0, got 'yes'");
    EXPECT_EQ(refusal(s, "slow=2"), "parameter 'slow' is a flag: true, false, 1 or 0, got '2'");
    EXPECT_EQ(refusal(s, "slow="), "parameter 'slow' is a flag: true, false, 1 or 0, got ''");
    // Only a flag takes the words: a count does not become 1 from "true".
    EXPECT_EQ(refusal(s, "n=true"), "parameter 'n' wants an integer, got 'true'");
}

TEST(ScenarioParams, ACorpusEntryTakesAFlagAsAWord) {
    scenarios::Registry registry;
    registry.add(flagged_scenario());
    const std::string dir = ::testing::TempDir() + "corosim_flag_corpus";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    {
        std::ofstream(dir + "/a.repro") << "scenario: flagged\nsignature: fail: x\nseed: 0\npolicy: fifo\nparam: n=2\nparam: slow=true\n";
    }
    const auto entries = load_corpus(dir, registry);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].spec.params, (scenarios::Params{{"n", 2}, {"slow", 1}}));
    {
        std::ofstream(dir + "/a.repro") << "scenario: flagged\nsignature: fail: x\nseed: 0\npolicy: fifo\nparam: n=2\nparam: slow=on\n";
    }
    try {
        load_corpus(dir, registry);
        ADD_FAILURE() << "slow=on accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("'slow' is a flag: true, false, 1 or 0, got 'on'"), std::string::npos) << e.what();
    }
    std::filesystem::remove_all(dir);
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

TEST(Repro, GoogleTestAndRapidCheckPrintARunSpecAsCodeAndAReproLineForAPlaceholderProgram) {
    // A test binary's argv[0] cannot run a scenario: the line names a placeholder and says what
    // it stands for, and the C++ expression reproduces the spec in-process.
    if (program_name_known()) GTEST_SKIP() << "another test in this process named the program";
    const std::string shown =
        "corosim::checker::RunSpec{.scenario = \"conn_pool\", .params = {{\"clients\", 2}}, .policy = \"random\", .seed = 7}"
        " (CLI: YOUR_SIM run conn_pool --seed 7 --policy random --param clients=2; YOUR_SIM is your executable that "
        "links corosim::main and registers 'conn_pool' (corosim::checker::set_program_name names it))";
    EXPECT_EQ(::testing::PrintToString(conn_pool_spec()), shown);
    std::ostringstream rc_shown;
    rc::show(conn_pool_spec(), rc_shown);
    EXPECT_EQ(rc_shown.str(), shown);
}

TEST(Repro, ThePrintedCppExpressionBuildsTheSameSpec) {
    RunSpec spec = conn_pool_spec();
    spec.scenario = "odd \"name\"\\\n";
    spec.params["b"] = -3;
    spec.policy = "replay+jitter";
    spec.choices = {1, 0, 2};
    spec.max_steps = 1000;
    spec.python = PythonVersion::k3_11;
    EXPECT_EQ(run_spec_code(spec),
              "corosim::checker::RunSpec{.scenario = \"odd \\\"name\\\"\\\\\\012\", .params = {{\"b\", -3}, {\"clients\", 2}}, "
              ".policy = \"replay+jitter\", .seed = 7, .choices = {1, 0, 2}, .max_steps = 1000, "
              ".python = corosim::PythonVersion::k3_11}");
    // The same text, pasted as code:
    const RunSpec pasted = corosim::checker::RunSpec{.scenario = "odd \"name\"\\\012", .params = {{"b", -3}, {"clients", 2}},
                                                     .policy = "replay+jitter", .seed = 7, .choices = {1, 0, 2}, .max_steps = 1000,
                                                     .python = corosim::PythonVersion::k3_11};
    EXPECT_EQ(pasted.scenario, spec.scenario);
    EXPECT_EQ(pasted.params, spec.params);
    EXPECT_EQ(pasted.policy, spec.policy);
    EXPECT_EQ(pasted.seed, spec.seed);
    EXPECT_EQ(pasted.choices, spec.choices);
    EXPECT_EQ(pasted.max_steps, spec.max_steps);
    EXPECT_EQ(pasted.python, spec.python);
    EXPECT_EQ(run_spec_code(default_spec(*scenarios::all_scenarios().find("planted_check_then_act"))),
              "corosim::checker::RunSpec{.scenario = \"planted_check_then_act\", .params = {{\"amount\", 10}, {\"balance\", 10}}}");
}

TEST(Repro, ANamedProgramStartsTheLineWithoutAPlaceholderNote) {
    // In a child: the program name is process-wide.
    EXPECT_EXIT(
        {
            set_program_name("build/my sim");
            const std::string shown = ::testing::PrintToString(conn_pool_spec());
            const bool ok = program_name_known() &&
                            shown.ends_with(" (CLI: 'build/my sim' run conn_pool --seed 7 --policy random --param clients=2)");
            std::exit(ok ? 0 : 1);
        },
        ::testing::ExitedWithCode(0), "");
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
    // No scenario CLI named: a placeholder, what it stands for, and the in-process call.
    if (program_name_known()) GTEST_SKIP() << "another test in this process named the program";
    EXPECT_EQ(failure.find("corosim run"), std::string::npos) << failure;
    EXPECT_NE(failure.find("\n  reproduce: YOUR_SIM run planted_check_then_act --seed "), std::string::npos) << failure;
    EXPECT_NE(failure.find("\n    (YOUR_SIM is your executable that links corosim::main and registers 'planted_check_then_act' "
                           "(corosim::checker::set_program_name names it))\n"),
              std::string::npos)
        << failure;
    EXPECT_NE(failure.find("\n  in C++: corosim::checker::run_spec(scenario, corosim::checker::RunSpec{.scenario = "
                           "\"planted_check_then_act\", .params = {{\"amount\", "),
              std::string::npos)
        << failure;
}

TEST(CheckSchedules, ANamedScenarioCliStartsTheLine) {
    const scenarios::Scenario* s = scenarios::all_scenarios().find("planted_check_then_act");
    ASSERT_NE(s, nullptr);
    EXPECT_EXIT(
        {
            set_program_name("build/bank_sim");
            const std::string failure = check_schedules(*s, 50);
            const bool ok = failure.find("\n  reproduce: build/bank_sim run planted_check_then_act --seed ") != std::string::npos &&
                            failure.find("YOUR_SIM") == std::string::npos && failure.find("\n  in C++: ") != std::string::npos;
            std::exit(ok ? 0 : 1);
        },
        ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace corosim::checker
