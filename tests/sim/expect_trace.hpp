// expect_trace.hpp: what the rule tests share. Each runs a scenario coroutine the way asyncio.run
// would and compares the rendered trace with what CPython 3.12 printed for the same program.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "corosim/corosim.hpp"

namespace corosim::testing {

/// The run's trace as the conformance suite renders it (lines only).
inline std::string lines(const RunResult& r) { return r.trace.render_all(false); }

/// Runs `make()` as the main coroutine and expects a run ending with `outcome` (a pass unless
/// said otherwise) whose trace is exactly `expected`, with every coroutine frame it created
/// destroyed.
inline void expect_trace(Coro<void> (*make)(), const char* expected, Outcome outcome = Outcome::kPass) {
    const RunResult r = run([make] { return make(); });
    EXPECT_EQ(r.outcome, outcome) << r.message;
    EXPECT_EQ(lines(r), expected);
    EXPECT_GT(r.frames_created, 0u);
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
}

}  // namespace corosim::testing
