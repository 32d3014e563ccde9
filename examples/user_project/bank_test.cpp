// bank_test.cpp: the scenario's invariant over many schedules, from the user's own tests.
#include <corosim/checker/properties.hpp>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "bank.hpp"

TEST(Bank, MoneyIsConservedUnderEverySchedule) {
    EXPECT_EQ(corosim::checker::check_schedules(bank_scenario(), 200), "");
}

RC_GTEST_PROP(Bank, MoneyIsConservedForAnyParameters, ()) {
    static const corosim::scenarios::Scenario scenario = bank_scenario();
    const auto spec = *corosim::checker::gen_run_spec(scenario);
    const auto result = corosim::checker::run_spec(scenario, spec);
    RC_ASSERT(result.outcome == corosim::Outcome::kPass);
}

TEST(Bank, AFailingRunSpecPrintsTheLineThatReproducesIt) {
    const corosim::scenarios::Scenario scenario = bank_unlocked_scenario();
    const std::string failure = corosim::checker::check_schedules(scenario, 50);
    EXPECT_NE(failure.find("check failed: money is conserved"), std::string::npos) << failure;
    // This binary is not the scenario CLI: the line names a placeholder for bank_sim (or
    // whatever corosim::checker::set_program_name was given) and the in-process call.
    EXPECT_NE(failure.find("reproduce: YOUR_SIM run bank_unlocked --seed "), std::string::npos) << failure;
    EXPECT_NE(failure.find("in C++: corosim::checker::run_spec(scenario, corosim::checker::RunSpec{.scenario = \"bank_unlocked\""),
              std::string::npos)
        << failure;
    const auto spec = corosim::checker::default_spec(scenario, "random", 4);
    EXPECT_EQ(::testing::PrintToString(spec),
              "corosim::checker::RunSpec{.scenario = \"bank_unlocked\", .params = {{\"tellers\", 2}, {\"transfers\", 2}}, "
              ".policy = \"random\", .seed = 4} (CLI: YOUR_SIM run bank_unlocked --seed 4 --policy random --param tellers=2 "
              "--param transfers=2; YOUR_SIM is your executable that links corosim::main and registers 'bank_unlocked' "
              "(corosim::checker::set_program_name names it))");
}
