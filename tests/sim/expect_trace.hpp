// expect_trace.hpp: what the rule tests share. Each runs a scenario coroutine the way asyncio.run
// would and compares the rendered trace with what CPython 3.12 printed for the same program:
// tests/sim/programs/NAME.py, whose trace tests/conformance/regen.py writes to
// tests/sim/goldens/NAME.trace (and checks in ctest's conformance.regen).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "corosim/corosim.hpp"

namespace corosim::testing {

/// The run's trace as the conformance suite renders it (lines only).
inline std::string lines(const RunResult& r) { return r.trace.render_all(false); }

/// CPython 3.12's trace of tests/sim/programs/`name`.py (tests/sim/goldens/`name`.trace); a test
/// failure and an empty string if the file cannot be read.
inline std::string golden(const std::string& name) {
    const std::string path = std::string(COROSIM_SIM_GOLDENS_DIR) + "/" + name + ".trace";
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ADD_FAILURE() << "no golden " << path << " (write it with tests/conformance/regen.py)";
        return {};
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Runs `make()` as the main coroutine and expects a run ending with `outcome` (a pass unless
/// said otherwise) whose trace is exactly the golden `name` (see golden()), with every
/// coroutine frame it created destroyed.
inline void expect_golden(Coro<void> (*make)(), const std::string& name, Outcome outcome = Outcome::kPass) {
    const RunResult r = run([make] { return make(); });
    EXPECT_EQ(r.outcome, outcome) << r.message;
    EXPECT_EQ(lines(r), golden(name)) << "golden " << name;
    EXPECT_GT(r.frames_created, 0u);
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
}

}  // namespace corosim::testing
