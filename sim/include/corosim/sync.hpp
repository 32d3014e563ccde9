// sync.hpp: asyncio's synchronisation primitives Event, Lock, Semaphore, BoundedSemaphore and
// Condition, ported from CPython 3.12 Lib/asyncio/locks.py (and mixins.py's _LoopBoundMixin).
// Every blocked caller waits on its own Future in a FIFO deque; a wakeup is set_result on that
// future, so the waiting task resumes through call_soon exactly as in asyncio, and every
// cancellation path (the waiter cancelled, or woken and then cancelled before it ran) does what
// locks.py does. The objects are handles: copies share one state, so they can be passed by value
// into coroutines. The waits are lazy Coro<bool>, run inline by `co_await` like Python's `await`.
#pragma once

#include <deque>
#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "corosim/coro.hpp"
#include "corosim/future.hpp"
#include "corosim/loop.hpp"

namespace corosim {

namespace detail {

/// A primitive's waiters: one future per blocked caller, oldest first (collections.deque).
using Waiters = std::deque<Future<void>>;

/// deque.remove(fut) by identity; false when `fut` is not there (Python raises ValueError).
bool remove_waiter(Waiters& waiters, const Future<void>& fut) noexcept;

/// mixins._LoopBoundMixin: a primitive binds to the loop of its first blocking call; using it
/// from another loop raises RuntimeError('<repr> is bound to a different event loop').
/// A primitive kept past its run stays bound to the finished loop (through a LoopRef, which
/// reads null once that loop is freed), so a later run's loop is always a different one.
class LoopBound {
public:
    /// _get_loop(): the running loop, binding to it on first use. `repr` is called on error only.
    template <class R>
    Loop& get_loop(const R& repr) {
        Loop& loop = running_loop();
        if (!loop_.bound()) loop_ = loop.ref();
        if (loop_.get() != &loop) throw RuntimeError(repr() + " is bound to a different event loop");
        return loop;
    }

private:
    detail::LoopRef loop_;
};

struct EventState;
struct LockState;
struct SemaphoreState;
struct ConditionState;

}  // namespace detail

// The primitives live in corosim::sync because corosim::Event is the trace record (trace.hpp);
// all but Event are also available directly in corosim.
namespace sync {

/// asyncio.Event; copies share one event.
class Event {
public:
    Event();

    /// True when the flag is set.
    bool is_set() const noexcept;
    /// Sets the flag and wakes every waiter (set_result on each pending waiter, in order).
    void set() const;
    /// Resets the flag; later wait() calls block again.
    void clear() const noexcept;
    /// `await event.wait()`: returns true at once if set, else blocks until set().
    Coro<bool> wait() const;
    /// CPython's repr without the address: `<asyncio.locks.Event object [unset, waiters:1]>`.
    std::string repr() const;

    /// Identity (Python's `is`): true when both are copies of one event.
    friend bool operator==(const Event& a, const Event& b) noexcept { return a.s_ == b.s_; }

private:
    std::shared_ptr<detail::EventState> s_;
};

/// asyncio.Lock; copies share one lock. `co_await async_with(lock, &body, args...)` is
/// `async with lock:` (aenter acquires, aexit releases and never suppresses).
class Lock {
public:
    Lock();

    /// True when acquired.
    bool locked() const noexcept;
    /// `await lock.acquire()`: FIFO among waiters; returns true once the lock is held.
    Coro<bool> acquire() const;
    /// Unlocks and wakes the first waiter; RuntimeError('Lock is not acquired.') when unlocked.
    void release() const;
    /// `__aenter__`: acquire().
    Coro<void> aenter() const;
    /// `__aexit__`: release(); never suppresses.
    Coro<bool> aexit(std::exception_ptr exc) const;
    /// `<asyncio.locks.Lock object [locked, waiters:2]>` (CPython's repr without the address).
    std::string repr() const;

    /// Identity (Python's `is`): true when both are copies of one lock.
    friend bool operator==(const Lock& a, const Lock& b) noexcept { return a.s_ == b.s_; }

private:
    std::shared_ptr<detail::LockState> s_;
};

/// asyncio.Semaphore; copies share one semaphore.
class Semaphore {
public:
    /// A semaphore with counter `value`; ValueError('Semaphore initial value must be >= 0').
    explicit Semaphore(int value = 1);

    /// True when acquire() would block: the counter is 0 or a non-cancelled waiter is queued.
    bool locked() const noexcept;
    /// `await sem.acquire()`: decrements the counter, blocking (FIFO) while it cannot.
    Coro<bool> acquire() const;
    /// Increments the counter and wakes the next waiter. A BoundedSemaphore raises
    /// ValueError('BoundedSemaphore released too many times') above its initial value.
    void release() const;
    /// `__aenter__`: acquire().
    Coro<void> aenter() const;
    /// `__aexit__`: release(); never suppresses.
    Coro<bool> aexit(std::exception_ptr exc) const;
    /// The internal counter (`_value`).
    int value() const noexcept;
    /// `<asyncio.locks.Semaphore object [unlocked, value:2]>` (without the address).
    std::string repr() const;

    /// Identity (Python's `is`): true when both are copies of one semaphore.
    friend bool operator==(const Semaphore& a, const Semaphore& b) noexcept { return a.s_ == b.s_; }

protected:
    /// For BoundedSemaphore: `bounded` makes release() above `value` raise ValueError.
    Semaphore(int value, bool bounded);

private:
    std::shared_ptr<detail::SemaphoreState> s_;
};

/// asyncio.BoundedSemaphore: release() above the initial value raises ValueError.
class BoundedSemaphore : public Semaphore {
public:
    /// `asyncio.BoundedSemaphore(value)`; ValueError when value < 0.
    explicit BoundedSemaphore(int value = 1) : Semaphore(value, true) {}
};

class Condition;
}  // namespace sync

namespace detail::condition {
template <class P>
Coro<std::decay_t<std::invoke_result_t<P&>>> wait_for(sync::Condition cond, P predicate);
}  // namespace detail::condition

namespace sync {

/// asyncio.Condition over a Lock (a new one by default); copies share one condition.
class Condition {
public:
    Condition();
    /// `asyncio.Condition(lock)`: over a given lock, which other code may share.
    explicit Condition(Lock lock);

    /// The underlying lock's locked(), acquire(), release().
    bool locked() const noexcept;
    /// `await cond.acquire()`: the lock's acquire().
    Coro<bool> acquire() const;
    /// `cond.release()`: the lock's release() (RuntimeError when not locked).
    void release() const;
    /// The underlying lock.
    const Lock& lock() const noexcept;

    /// `await cond.wait()`: releases the lock, blocks until notified, re-acquires the lock (even
    /// when cancelled, then raises a fresh CancelledError) and returns true.
    /// RuntimeError('cannot wait on un-acquired lock') when the lock is not held.
    Coro<bool> wait() const;
    /// `await cond.wait_for(predicate)`: wait() until predicate() is truthy; returns its value.
    /// Name the predicate (and the returned Coro) before awaiting: GCC 12 destroys a capturing
    /// lambda temporary twice when it is built inside a co_await expression.
    template <class P>
    Coro<std::decay_t<std::invoke_result_t<P&>>> wait_for(P predicate) const {
        return detail::condition::wait_for(*this, std::move(predicate));
    }
    /// Wakes up to `n` waiters that are not done yet, oldest first.
    /// RuntimeError('cannot notify on un-acquired lock') when the lock is not held.
    void notify(int n = 1) const;
    /// notify(len(waiters)).
    void notify_all() const;
    /// `__aenter__`: acquire().
    Coro<void> aenter() const;
    /// `__aexit__`: release(); never suppresses.
    Coro<bool> aexit(std::exception_ptr exc) const;
    /// `<asyncio.locks.Condition object [locked, waiters:1]>` (without the address).
    std::string repr() const;

    /// Identity (Python's `is`): true when both are copies of one condition.
    friend bool operator==(const Condition& a, const Condition& b) noexcept { return a.s_ == b.s_; }

private:
    std::shared_ptr<detail::ConditionState> s_;
};

}  // namespace sync

using sync::BoundedSemaphore;
using sync::Condition;
using sync::Lock;
using sync::Semaphore;

namespace detail::condition {
/// Condition.wait_for: `result = predicate(); while not result: await self.wait(); ...`.
template <class P>
Coro<std::decay_t<std::invoke_result_t<P&>>> wait_for(sync::Condition cond, P predicate) {
    auto result = predicate();
    while (!result) {
        Coro<bool> w = cond.wait();
        co_await std::move(w);
        result = predicate();
    }
    co_return result;
}
}  // namespace detail::condition

}  // namespace corosim
