// compat.hpp: the CPython behaviours that differ between the versions corosim reproduces, one
// named switch per difference (the version tags of SEMANTICS; docs/semantics.md). A run takes
// them from LoopOptions::compat; the defaults are CPython 3.12's.
#pragma once

namespace corosim {

/// One switch per documented difference between CPython 3.11, 3.12 and 3.13.
struct Compat {
    /// F6: when an exception thrown into a running aclose() awaitable (the awaiting task was
    /// cancelled while the generator's finally awaited) ends the generator, 3.11 and 3.12 leave
    /// it marked running (ag_running_async; Objects/genobject.c async_gen_athrow_throw never
    /// clears it on that path), so every later anext()/asend() raises RuntimeError('anext():
    /// asynchronous generator is already running'). 3.13 clears it: StopAsyncIteration.
    bool aclose_throw_keeps_running = true;
};

}  // namespace corosim
