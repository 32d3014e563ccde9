// time.hpp: virtual time. Integer nanoseconds so that every build, compiler and optimisation level
// agrees on every comparison (DESIGN 7.2; SEMANTICS H4-H5).
#pragma once

#include <cstdint>

namespace corosim {

/// A point or span of virtual time in nanoseconds.
using Nanos = std::int64_t;

/// Whole seconds as Nanos.
constexpr Nanos seconds(std::int64_t s) { return s * 1'000'000'000; }
/// Whole milliseconds as Nanos.
constexpr Nanos millis(std::int64_t ms) { return ms * 1'000'000; }

/// Python's `round(t * 1000)` for a virtual time: whole milliseconds, ties to even.
constexpr std::int64_t round_ms(Nanos t) {
    std::int64_t q = t / 1'000'000;
    std::int64_t r = t % 1'000'000;
    if (r < 0) { r += 1'000'000; --q; }
    if (r > 500'000 || (r == 500'000 && (q & 1) != 0)) ++q;
    return q;
}

}  // namespace corosim
