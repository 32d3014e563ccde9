// sync.cpp: Event, Lock, Semaphore, BoundedSemaphore, Condition; a function-by-function port of
// CPython 3.12 Lib/asyncio/locks.py. Python's `try: await fut finally: ...` / `except
// CancelledError: ...; raise` become: catch the exception into an exception_ptr, run the
// finally/except part after the handler (C++ forbids co_await in a handler), rethrow the same
// object (Python's bare `raise`).
#include "corosim/sync.hpp"

#include <algorithm>
#include <optional>

#include "corosim/combinators.hpp"
#include "corosim/task.hpp"

namespace corosim {

namespace detail {

bool remove_waiter(Waiters& waiters, const Future<void>& fut) noexcept {
    const auto it = std::find_if(waiters.begin(), waiters.end(),
                                 [&fut](const Future<void>& w) { return w.state() == fut.state(); });
    if (it == waiters.end()) return false;
    waiters.erase(it);
    return true;
}

struct EventState {
    Waiters waiters;
    bool value = false;
    LoopBound bound;
};

struct LockState {
    Waiters waiters;
    bool locked = false;
    LoopBound bound;
};

struct SemaphoreState {
    Waiters waiters;
    int value = 1;
    int bound_value = 0;
    bool bounded = false;
    LoopBound bound;
};

struct ConditionState {
    explicit ConditionState(Lock l) : lock(std::move(l)) {}
    Lock lock;
    Waiters waiters;
    LoopBound bound;
};

}  // namespace detail

namespace {

using sync::Condition;
using sync::Lock;
using sync::Semaphore;
using detail::ConditionState;
using detail::EventState;
using detail::LockState;
using detail::SemaphoreState;
using detail::Waiters;

/// `f'{extra}, waiters:{len(self._waiters)}'` when there are waiters.
std::string with_waiters(std::string extra, const Waiters& waiters) {
    if (!waiters.empty()) extra += ", waiters:" + std::to_string(waiters.size());
    return extra;
}

std::string event_repr(const EventState& s) {
    return "<asyncio.locks.Event object [" + with_waiters(s.value ? "set" : "unset", s.waiters) + "]>";
}
std::string lock_repr(const LockState& s) {
    return "<asyncio.locks.Lock object [" + with_waiters(s.locked ? "locked" : "unlocked", s.waiters) + "]>";
}

/// Semaphore.locked().
bool semaphore_locked(const SemaphoreState& s) noexcept {
    return s.value == 0 || std::any_of(s.waiters.begin(), s.waiters.end(),
                                       [](const Future<void>& w) { return !w.cancelled(); });
}
std::string semaphore_repr(const SemaphoreState& s) {
    const std::string extra = semaphore_locked(s) ? "locked" : "unlocked, value:" + std::to_string(s.value);
    return std::string("<asyncio.locks.") + (s.bounded ? "BoundedSemaphore" : "Semaphore") + " object [" +
           with_waiters(extra, s.waiters) + "]>";
}
std::string condition_repr(const ConditionState& s) {
    return "<asyncio.locks.Condition object [" + with_waiters(s.lock.locked() ? "locked" : "unlocked", s.waiters) +
           "]>";
}

/// `fut = self._get_loop().create_future()`.
template <class S, class R>
Future<void> new_waiter(S& s, R repr) {
    s.bound.get_loop([&] { return repr(s); });
    return Future<void>();
}

/// Lock._wake_up_first: wake the first waiter if it isn't done.
void lock_wake_up_first(LockState& s) {
    if (s.waiters.empty()) return;
    Future<void>& fut = s.waiters.front();
    // .done() means that waiter will wake up later on and either take the lock or, if it was
    // cancelled and the lock wasn't taken already, call this again to wake up the next one.
    if (!fut.done()) fut.set_result();
}

/// Semaphore._wake_up_next: wake the first waiter that isn't done, taking a unit for it.
void semaphore_wake_up_next(SemaphoreState& s) {
    for (Future<void>& fut : s.waiters) {
        if (!fut.done()) {
            s.value -= 1;
            fut.set_result();
            return;
        }
    }
}

}  // namespace

// The coroutines take their state by value (a handle copy keeps it alive while suspended). Their
// names are the Python method names, as the never-awaited warning shows them.
namespace sync_impl {
namespace {

/// Event.wait.
Coro<bool> wait(std::shared_ptr<EventState> s) {
    if (s->value) co_return true;
    Future<void> fut = new_waiter(*s, &event_repr);
    s->waiters.push_back(fut);
    std::exception_ptr failed;
    try {
        co_await fut;
    } catch (...) {
        failed = std::current_exception();
    }
    detail::remove_waiter(s->waiters, fut);  // finally
    if (failed) std::rethrow_exception(failed);
    co_return true;
}

/// Lock.acquire.
Coro<bool> acquire(std::shared_ptr<LockState> s) {
    if (!s->locked && std::all_of(s->waiters.begin(), s->waiters.end(),
                                  [](const Future<void>& w) { return w.cancelled(); })) {
        s->locked = true;
        co_return true;
    }
    Future<void> fut = new_waiter(*s, &lock_repr);
    s->waiters.push_back(fut);
    std::exception_ptr failed;
    bool is_cancel = false;
    try {
        co_await fut;
    } catch (...) {
        failed = std::current_exception();
        is_cancel = detail::current_exception_is_cancel();
    }
    // The finally runs before the CancelledError handling, so that _wake_up_first() never
    // tries to wake this waiter itself.
    detail::remove_waiter(s->waiters, fut);
    if (failed) {
        if (is_cancel && !s->locked) lock_wake_up_first(*s);
        std::rethrow_exception(failed);
    }
    s->locked = true;
    co_return true;
}

/// _ContextManagerMixin.__aenter__ for a Lock.
Coro<void> aenter(Lock lock) {
    Coro<bool> a = lock.acquire();
    co_await std::move(a);
}

/// _ContextManagerMixin.__aexit__ for a Lock.
Coro<bool> aexit(Lock lock) {
    lock.release();
    co_return false;
}

/// Semaphore.acquire (3.12, after gh-90155: `_wake_up_next` takes the unit for the waiter).
Coro<bool> acquire(std::shared_ptr<SemaphoreState> s) {
    if (!semaphore_locked(*s)) {
        s->value -= 1;
        co_return true;
    }
    Future<void> fut = new_waiter(*s, &semaphore_repr);
    s->waiters.push_back(fut);
    std::exception_ptr failed;
    bool is_cancel = false;
    try {
        co_await fut;
    } catch (...) {
        failed = std::current_exception();
        is_cancel = detail::current_exception_is_cancel();
    }
    detail::remove_waiter(s->waiters, fut);  // finally, before the CancelledError handling
    if (failed) {
        if (is_cancel && !fut.cancelled()) {
            // Woken (a unit was taken for us) and then cancelled: hand the unit on.
            s->value += 1;
            semaphore_wake_up_next(*s);
        }
        std::rethrow_exception(failed);
    }
    if (s->value > 0) semaphore_wake_up_next(*s);
    co_return true;
}

Coro<void> aenter(Semaphore sem) {
    Coro<bool> a = sem.acquire();
    co_await std::move(a);
}

Coro<bool> aexit(Semaphore sem) {
    sem.release();
    co_return false;
}

/// Condition.wait.
Coro<bool> wait(std::shared_ptr<ConditionState> s) {
    if (!s->lock.locked()) throw RuntimeError("cannot wait on un-acquired lock");
    s->lock.release();
    // try: ... await fut; return True  finally: self._waiters.remove(fut)
    std::exception_ptr failed;
    {
        std::optional<Future<void>> fut;
        try {
            fut.emplace(new_waiter(*s, &condition_repr));  // inside the try, as in locks.py
        } catch (...) {
            failed = std::current_exception();
        }
        if (fut) {
            s->waiters.push_back(*fut);
            try {
                co_await *fut;
            } catch (...) {
                failed = std::current_exception();
            }
            detail::remove_waiter(s->waiters, *fut);
        }
    }
    // finally: must reacquire the lock even if the wait is cancelled. The exception in flight is
    // the one being handled here, so a CancelledError delivered meanwhile chains to it.
    bool cancelled = false;
    {
        detail::Handling handling(failed);
        for (;;) {
            bool acquired = false;
            try {
                Coro<bool> a = s->lock.acquire();
                co_await std::move(a);
                acquired = true;
            } catch (const CancelledError&) {
                cancelled = true;
            }
            if (acquired) break;
        }
    }
    if (cancelled) {
        // `raise exceptions.CancelledError`: a fresh one, replacing whatever was in flight.
        std::exception_ptr fresh = std::make_exception_ptr(CancelledError());
        detail::chain_context(fresh, failed);
        std::rethrow_exception(fresh);
    }
    if (failed) std::rethrow_exception(failed);
    co_return true;
}

Coro<void> aenter(Condition cond) {
    Coro<bool> a = cond.acquire();
    co_await std::move(a);
}

Coro<bool> aexit(Condition cond) {
    cond.release();
    co_return false;
}

}  // namespace
}  // namespace sync_impl

namespace sync {

// ---- Event ----

Event::Event() : s_(std::make_shared<detail::EventState>()) {}

bool Event::is_set() const noexcept { return s_->value; }

void Event::set() const {
    if (s_->value) return;
    s_->value = true;
    for (Future<void>& fut : s_->waiters) {
        if (!fut.done()) fut.set_result();
    }
}

void Event::clear() const noexcept { s_->value = false; }

Coro<bool> Event::wait() const { return sync_impl::wait(s_); }

std::string Event::repr() const { return event_repr(*s_); }

// ---- Lock ----

Lock::Lock() : s_(std::make_shared<detail::LockState>()) {}

bool Lock::locked() const noexcept { return s_->locked; }

Coro<bool> Lock::acquire() const { return sync_impl::acquire(s_); }

void Lock::release() const {
    if (!s_->locked) throw RuntimeError("Lock is not acquired.");
    s_->locked = false;
    lock_wake_up_first(*s_);
}

Coro<void> Lock::aenter() const { return sync_impl::aenter(*this); }

Coro<bool> Lock::aexit(std::exception_ptr) const { return sync_impl::aexit(*this); }

std::string Lock::repr() const { return lock_repr(*s_); }

// ---- Semaphore, BoundedSemaphore ----

Semaphore::Semaphore(int value) : Semaphore(value, false) {}

Semaphore::Semaphore(int value, bool bounded) {
    if (value < 0) throw ValueError("Semaphore initial value must be >= 0");
    s_ = std::make_shared<detail::SemaphoreState>();
    s_->value = value;
    s_->bound_value = value;
    s_->bounded = bounded;
}

bool Semaphore::locked() const noexcept { return semaphore_locked(*s_); }

Coro<bool> Semaphore::acquire() const { return sync_impl::acquire(s_); }

void Semaphore::release() const {
    if (s_->bounded && s_->value >= s_->bound_value) throw ValueError("BoundedSemaphore released too many times");
    s_->value += 1;
    semaphore_wake_up_next(*s_);
}

Coro<void> Semaphore::aenter() const { return sync_impl::aenter(*this); }

Coro<bool> Semaphore::aexit(std::exception_ptr) const { return sync_impl::aexit(*this); }

int Semaphore::value() const noexcept { return s_->value; }

std::string Semaphore::repr() const { return semaphore_repr(*s_); }

// ---- Condition ----

Condition::Condition() : Condition(Lock()) {}

Condition::Condition(Lock lock) : s_(std::make_shared<detail::ConditionState>(std::move(lock))) {}

bool Condition::locked() const noexcept { return s_->lock.locked(); }

Coro<bool> Condition::acquire() const { return s_->lock.acquire(); }

void Condition::release() const { s_->lock.release(); }

const Lock& Condition::lock() const noexcept { return s_->lock; }

Coro<bool> Condition::wait() const { return sync_impl::wait(s_); }

void Condition::notify(int n) const {
    if (!s_->lock.locked()) throw RuntimeError("cannot notify on un-acquired lock");
    int idx = 0;
    for (Future<void>& fut : s_->waiters) {
        if (idx >= n) break;
        if (!fut.done()) {
            idx += 1;
            fut.set_result();
        }
    }
}

void Condition::notify_all() const { notify(static_cast<int>(s_->waiters.size())); }

Coro<void> Condition::aenter() const { return sync_impl::aenter(*this); }

Coro<bool> Condition::aexit(std::exception_ptr) const { return sync_impl::aexit(*this); }

std::string Condition::repr() const { return condition_repr(*s_); }

}  // namespace sync

}  // namespace corosim
