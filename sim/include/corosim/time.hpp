// time.hpp: virtual time. Integer nanoseconds so that every build, compiler and optimisation level
// agrees on every comparison (DESIGN 7.2; SEMANTICS H4-H5).
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <type_traits>

namespace corosim {

/// A point or span of virtual time in nanoseconds.
using Nanos = std::int64_t;

/// Whole seconds as Nanos.
constexpr Nanos seconds(std::int64_t s) { return s * 1'000'000'000; }
/// Whole milliseconds as Nanos.
constexpr Nanos millis(std::int64_t ms) { return ms * 1'000'000; }

namespace detail {
template <class T>
struct BareFloatDelay {
    static constexpr bool value = false;
};
}  // namespace detail

/// A span of virtual time, as every delay parameter takes it (sleep, wait_for, timeout, wait's
/// timeout, Loop::call_later, blocking): integer nanoseconds (`Nanos`, `seconds(1)`,
/// `millis(20)`, `0`) or any std::chrono::duration (`20ms`, `1.5s`), a floating-point one
/// rounded to the nearest nanosecond. A bare double is refused at compile time: it would be
/// nanoseconds, not Python's seconds.
class Duration {
public:
    /// Integer nanoseconds.
    template <std::integral I>
    constexpr Duration(I ns) noexcept : ns_(static_cast<Nanos>(ns)) {}
    /// A std::chrono duration.
    template <class Rep, class Period>
    constexpr Duration(std::chrono::duration<Rep, Period> d) noexcept : ns_(to_nanos(d)) {}
    /// Refused: write `500ms`, `0.5s` (std::chrono_literals) or `millis(500)`.
    template <std::floating_point F>
    Duration(F) : ns_(0) {
        static_assert(detail::BareFloatDelay<F>::value,
                      "a bare floating-point number is not a duration (it is not seconds as in Python): write "
                      "500ms or 0.5s (using namespace std::chrono_literals), or millis(500)");
    }

    /// The span in nanoseconds.
    constexpr Nanos count() const noexcept { return ns_; }
    /// The span in nanoseconds, implicitly (where a Nanos is expected).
    constexpr operator Nanos() const noexcept { return ns_; }

private:
    template <class Rep, class Period>
    static constexpr Nanos to_nanos(std::chrono::duration<Rep, Period> d) noexcept {
        if constexpr (std::chrono::treat_as_floating_point_v<Rep>) {
            return std::chrono::round<std::chrono::nanoseconds>(d).count();
        } else {
            return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
        }
    }
    Nanos ns_;
};

/// Python's `round(t * 1000)` for a virtual time: whole milliseconds, ties to even.
constexpr std::int64_t round_ms(Nanos t) {
    std::int64_t q = t / 1'000'000;
    std::int64_t r = t % 1'000'000;
    if (r < 0) { r += 1'000'000; --q; }
    if (r > 500'000 || (r == 500'000 && (q & 1) != 0)) ++q;
    return q;
}

}  // namespace corosim
