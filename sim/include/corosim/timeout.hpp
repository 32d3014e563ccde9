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
    /// asyncio.timeouts._State: CREATED, ENTERED, EXPIRING (cancelled the task, not yet
    /// exited), EXPIRED (exited raising TimeoutError) and EXITED.
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
template <class H>
Coro<typename H::State::value_type> await_handle_in(Timeout&, H fut) {
    if constexpr (std::is_void_v<typename H::State::value_type>) {
        co_await fut;
    } else {
        co_return co_await fut;
    }
}

/// tasks.py _cancel_and_wait: cancels `fut` and waits, through a waiter future released by
/// fut's done callback, until it has really finished (the waiter keeps this cancellable).
Coro<void> cancel_and_wait(FutureBase* fut);
/// `raise TimeoutError from exc` inside `except CancelledError as exc` (cause and context
/// `exc`, context suppressed).
[[noreturn]] void raise_timeout_from(std::exception_ptr exc);

/// wait_for's `timeout <= 0` branch (3.11-3.13): a done future gives its result at once;
/// otherwise it is cancelled and waited for, and a cancelled outcome becomes TimeoutError. A
/// task that swallowed the cancel gives its value.
template <class H>
Coro<typename H::State::value_type> wait_for_expired(H fut) {
    using T = typename H::State::value_type;
    if (!fut.done()) {
        co_await cancel_and_wait(fut.state());
        try {
            if constexpr (std::is_void_v<T>) {
                fut.result();
                co_return;
            } else {
                co_return fut.result();
            }
        } catch (const CancelledError&) {
            raise_timeout_from(std::current_exception());
        }
    }
    if constexpr (std::is_void_v<T>) {
        fut.result();
    } else {
        co_return fut.result();
    }
}

/// 3.11's wait_for for a positive timeout, up to taking fut's result: waits for `fut` or the
/// timeout through a waiter future (released by fut's done callback or a timer); on the timeout
/// cancels fut and waits until it has finished. Returns true when the timeout cancelled it (a
/// cancelled outcome is then TimeoutError); if the caller is cancelled meanwhile, fut is
/// cancelled and waited for too and the CancelledError propagates, unless fut was already done.
Coro<bool> wait_for_311(FutureBase* fut, Duration delay);

/// wait_for's result once wait_for_311 returned.
template <class H>
typename H::State::value_type wait_for_311_result(H& fut, bool timed_out) {
    try {
        return fut.result();
    } catch (const CancelledError&) {
        if (!timed_out) throw;
        raise_timeout_from(std::current_exception());
    }
}

/// wait_for on a Task or Future: `async with timeout(t): return await fut` (3.12+; C7), or
/// 3.11's waiter (Compat::wait_for_wraps_in_task).
template <class H>
Coro<typename H::State::value_type> wait_for_handle(H fut, std::optional<Duration> delay) {
    using T = typename H::State::value_type;
    if (delay && *delay <= 0) {
        if constexpr (std::is_void_v<T>) {
            co_await wait_for_expired(std::move(fut));
        } else {
            co_return co_await wait_for_expired(std::move(fut));
        }
    } else if (delay && running_loop().compat().wait_for_wraps_in_task) {
        const bool timed_out = co_await wait_for_311(fut.state(), *delay);
        if constexpr (std::is_void_v<T>) {
            wait_for_311_result(fut, timed_out);
        } else {
            co_return wait_for_311_result(fut, timed_out);
        }
    } else if constexpr (std::is_void_v<T>) {
        co_await async_with(timeout(delay), &await_handle_in<H>, std::move(fut));
    } else {
        co_return co_await async_with(timeout(delay), &await_handle_in<H>, std::move(fut));
    }
}
}  // namespace detail

/// asyncio.wait_for (3.12): `async with timeout(t): return await aw`, so a coroutine runs
/// inline in the caller's task (3.11, Compat::wait_for_wraps_in_task: in a new task). A timeout
/// <= 0 instead wraps the coroutine in a new task (it consumes a Task-N number), which is
/// cancelled before its first step: TimeoutError from its CancelledError, and the coroutine
/// never runs (C7).
template <class T>
Coro<T> wait_for(Coro<T> aw, std::optional<Duration> delay) {
    if (delay && *delay > 0 && running_loop().compat().wait_for_wraps_in_task) {
        // 3.11: `waiter = loop.create_future()` comes before `fut = ensure_future(fut)`, but
        // futures consume no name, so creating the task first shows the same.
        Task<T> t = create_task(std::move(aw));
        if constexpr (std::is_void_v<T>) {
            co_await detail::wait_for_handle(std::move(t), delay);
        } else {
            co_return co_await detail::wait_for_handle(std::move(t), delay);
        }
    } else if (delay && *delay <= 0) {
        // ensure_future(coro) happens when wait_for's body runs, as in Python.
        Task<T> t = create_task(std::move(aw));
        if constexpr (std::is_void_v<T>) {
            co_await detail::wait_for_expired(std::move(t));
        } else {
            co_return co_await detail::wait_for_expired(std::move(t));
        }
    } else if constexpr (std::is_void_v<T>) {
        co_await async_with(timeout(delay), &detail::await_in<T>, std::move(aw));
    } else {
        co_return co_await async_with(timeout(delay), &detail::await_in<T>, std::move(aw));
    }
}

/// asyncio.wait_for on a task: a timeout <= 0 cancels it unless it is done.
template <class T>
Coro<T> wait_for(Task<T> aw, std::optional<Duration> delay) {
    return detail::wait_for_handle(std::move(aw), delay);
}

/// asyncio.wait_for on a future: a timeout <= 0 cancels it unless it is done.
template <class T>
Coro<T> wait_for(Future<T> aw, std::optional<Duration> delay) {
    return detail::wait_for_handle(std::move(aw), delay);
}

}  // namespace corosim
