// conf_timeouts.cpp: conformance twins (see tests/conformance/programs).
#include <string>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

void register_conf_timeouts(Registry& reg) { (void)reg; }

}  // namespace corosim::scenarios
