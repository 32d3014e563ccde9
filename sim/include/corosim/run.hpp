// run.hpp: run(main) mirrors asyncio.run (SEMANTICS G4-G5): run the main task, cancel and
// gather what is left, close; deadlock and livelock end a run with their own outcome, and
// whatever could not finish is torn down so that every frame is destroyed and counted.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "corosim/coro.hpp"
#include "corosim/loop.hpp"
#include "corosim/trace.hpp"

namespace corosim {

/// How a run ended.
enum class Outcome : std::uint8_t {
    kPass,      ///< main returned and no invariant was violated
    kFail,      ///< an invariant (check() or a global one) was violated
    kError,     ///< an exception escaped main (or main was cancelled)
    kDeadlock,  ///< nothing could make progress
    kLivelock,  ///< the step or virtual-time budget ran out
    kCrash,     ///< the scenario aborted the process (set by the checker's isolation)
};

/// "pass", "fail", "error", "deadlock", "livelock", "crash".
const char* outcome_name(Outcome o) noexcept;

/// Everything a run produced.
struct RunResult {
    Outcome outcome = Outcome::kPass;    ///< how the run ended
    std::string message;                 ///< why it did not pass ("" when it did)
    std::uint64_t steps = 0;             ///< callbacks run
    Nanos vtime = 0;                     ///< virtual time at the end
    std::uint64_t trace_hash = 0;        ///< the trace's FNV-1a hash: equal runs, equal hashes
    std::vector<std::uint32_t> choices;  ///< the choice sequence (replay input)
    Trace trace;                         ///< events kept at the requested level
    std::uint64_t frames_created = 0;    ///< coroutine frames allocated during the run
    std::uint64_t frames_destroyed = 0;  ///< and freed; fewer is a leak (the run fails)
};

/// Runs the coroutine made by `make_main` as asyncio.run would, on a fresh loop.
RunResult run(const std::function<Coro<void>()>& make_main, LoopOptions options = {});

}  // namespace corosim
