// timeout.hpp: asyncio.timeout / timeout_at / wait_for (SEMANTICS C7-C12;
// python/cpython Lib/asyncio/timeouts.py, tasks.py wait_for). The expiry cancels the task; the
// exit uncancels and converts the CancelledError into TimeoutError only when no other cancel
// request arrived meanwhile (the `cancelling()` baseline taken on entry).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "corosim/combinators.hpp"
#include "corosim/coro.hpp"
#include "corosim/loop.hpp"
#include "corosim/task.hpp"

namespace corosim {

/// An asyncio.Timeout context manager; copies share one timeout.
class Timeout {
public:
    enum class State : std::uint8_t { kCreated, kEntered, kExpiring, kExpired, kExited };

    /// A timeout at absolute virtual time `when` (none: never).
    explicit Timeout(std::optional<Nanos> when);

    /// The deadline, or none.
    std::optional<Nanos> when() const;
    /// Moves the deadline (C12); RuntimeError unless entered and not expiring.
    void reschedule(std::optional<Nanos> when);
    /// True once the deadline fired (expiring or expired).
    bool expired() const;
    /// `<Timeout [active] when=1.0>` and friends (C12).
    std::string repr() const;

    /// `__aenter__` (C8).
    Coro<void> aenter();
    /// `__aexit__` (C9): never suppresses; may raise TimeoutError from the CancelledError.
    Coro<bool> aexit(std::exception_ptr exc);

private:
    struct Shared;
    std::shared_ptr<Shared> s_;
};

/// asyncio.timeout(delay): a Timeout at now + delay (none: no deadline).
Timeout timeout(std::optional<Duration> delay);
/// asyncio.timeout_at(when).
Timeout timeout_at(std::optional<Nanos> when);

namespace detail {
template <class T>
Coro<T> await_in(Timeout&, Coro<T> aw) {
    if constexpr (std::is_void_v<T>) {
        co_await std::move(aw);
    } else {
        co_return co_await std::move(aw);
    }
}
template <class T>
Coro<T> await_task_in(Timeout&, Task<T> t) {
    if constexpr (std::is_void_v<T>) {
        co_await t;
    } else {
        co_return co_await t;
    }
}
}  // namespace detail

/// asyncio.wait_for (3.12+): `async with timeout(t): return await aw`; a coroutine runs inline
/// in the caller's task (3.11 wrapped it in a new task; C7).
template <class T>
Coro<T> wait_for(Coro<T> aw, std::optional<Duration> delay) {
    if constexpr (std::is_void_v<T>) {
        co_await async_with(timeout(delay), &detail::await_in<T>, std::move(aw));
    } else {
        co_return co_await async_with(timeout(delay), &detail::await_in<T>, std::move(aw));
    }
}

/// asyncio.wait_for on a task.
template <class T>
Coro<T> wait_for(Task<T> aw, std::optional<Duration> delay) {
    if constexpr (std::is_void_v<T>) {
        co_await async_with(timeout(delay), &detail::await_task_in<T>, std::move(aw));
    } else {
        co_return co_await async_with(timeout(delay), &detail::await_task_in<T>, std::move(aw));
    }
}

}  // namespace corosim
