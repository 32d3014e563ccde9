// register.cpp: makes the scenarios known to corosim's CLI (corosim::main provides main()).
#include <corosim/scenarios/registry.hpp>

#include "bank.hpp"

COROSIM_SCENARIO(bank_scenario());
COROSIM_SCENARIO(bank_unlocked_scenario());
