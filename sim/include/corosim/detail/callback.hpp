// callback.hpp: the loop's unit of work, a trivially copyable function pointer plus two operands.
// No std::function on the hot path (DESIGN 8); `run == false` asks the callback only to release
// what it holds (the loop is discarding it at teardown).
#pragma once

namespace corosim::detail {

/// A scheduled callback: `fn(a, b, run)`.
struct Callback {
    void (*fn)(void* a, void* b, bool run) = nullptr;
    void* a = nullptr;
    void* b = nullptr;

    void invoke() const { fn(a, b, true); }
    void discard() const { fn(a, b, false); }
};

}  // namespace corosim::detail
