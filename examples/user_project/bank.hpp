// bank.hpp: the example's scenario: transfers between two accounts under a Lock.
#pragma once

#include <corosim/scenarios/scenario.hpp>

/// The `bank_transfers` scenario (parameters: tellers, transfers).
corosim::scenarios::Scenario bank_scenario();
