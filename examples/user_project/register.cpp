// register.cpp: makes the scenario known to corosim's CLI (corosim::main provides main()).
#include <corosim/scenarios/registry.hpp>

#include "bank.hpp"

COROSIM_SCENARIO(bank_scenario());
