// corosim.hpp: the umbrella header for scenario authors.
#pragma once

#include "corosim/coro.hpp"
#include "corosim/exceptions.hpp"
#include "corosim/future.hpp"
#include "corosim/loop.hpp"
#include "corosim/observe.hpp"
#include "corosim/policy.hpp"
#include "corosim/repr.hpp"
#include "corosim/rng.hpp"
#include "corosim/run.hpp"
#include "corosim/sleep.hpp"
#include "corosim/task.hpp"
#include "corosim/time.hpp"
#include "corosim/trace.hpp"
