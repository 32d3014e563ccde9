// conf_groups.cpp: conformance twins (see tests/conformance/programs).
#include <string>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

void register_conf_groups(Registry& reg) { (void)reg; }

}  // namespace corosim::scenarios
