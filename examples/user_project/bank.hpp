// bank.hpp: the example's scenarios: transfers between two accounts, with and without a Lock.
#pragma once

#include <corosim/scenarios/scenario.hpp>

/// The `bank_transfers` scenario (parameters: tellers, transfers).
corosim::scenarios::Scenario bank_scenario();

/// `bank_unlocked`: the same transfers with the Lock forgotten, a bug some schedules expose
/// (a lost update); the example's CLI finds it and prints the line that reproduces it.
corosim::scenarios::Scenario bank_unlocked_scenario();
