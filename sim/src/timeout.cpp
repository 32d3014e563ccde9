#include "corosim/timeout.hpp"

#include <algorithm>
#include <vector>

#include "corosim/exception_group.hpp"

namespace corosim {

struct Timeout::Shared {
    State state = State::kCreated;
    std::optional<Nanos> when;
    Handle handler;
    TaskBase* task = nullptr;  // kept alive by the frame that entered the timeout
    int cancelling = 0;
};

Timeout::Timeout(std::optional<Nanos> when) : s_(std::make_shared<Shared>()) { s_->when = when; }

Timeout timeout(std::optional<Duration> delay) {
    if (!delay) return Timeout(std::nullopt);
    return Timeout(running_loop().time() + *delay);
}

Timeout timeout_at(std::optional<Nanos> when) { return Timeout(when); }

std::optional<Nanos> Timeout::when() const { return s_->when; }

bool Timeout::expired() const { return s_->state == State::kExpiring || s_->state == State::kExpired; }

namespace {
const char* state_value(Timeout::State s) {
    switch (s) {
        case Timeout::State::kCreated: return "created";
        case Timeout::State::kEntered: return "active";
        case Timeout::State::kExpiring: return "expiring";
        case Timeout::State::kExpired: return "expired";
        case Timeout::State::kExited: return "finished";
    }
    return "?";
}

// 3.13's _insert_timeout_error: the first CancelledError of exc's context chain becomes the
// context of a new TimeoutError (its cause too), which takes its place in the chain, so a
// traceback says the exception happened while a timeout was being handled.
void insert_timeout_error(const std::exception_ptr& exc) {
    // Python cuts context cycles when an exception is raised; a chain built by hand in C++ may
    // have one, so the walk stops at an exception it has seen.
    std::vector<const BaseException*> seen;
    for (BaseException* cur = as_base(exc); cur != nullptr && cur->context; cur = as_base(cur->context)) {
        if (std::find(seen.begin(), seen.end(), cur) != seen.end()) return;
        seen.push_back(cur);
        if (is_cancelled_error(cur->context)) {
            TimeoutError te;
            te.context = cur->context;
            te.cause = cur->context;
            te.suppress_context = true;
            cur->context = std::make_exception_ptr(std::move(te));
            return;
        }
    }
}

// Python's repr of the deadline, a float number of seconds.
std::string seconds_repr(Nanos t) { return py_float_repr(static_cast<double>(t) / 1e9); }
}  // namespace

std::string Timeout::repr() const {
    std::string info;
    if (s_->state == State::kEntered) {
        info = s_->when ? " when=" + seconds_repr(*s_->when) : " when=None";
    }
    return std::string("<Timeout [") + state_value(s_->state) + "]" + info + ">";
}

void Timeout::reschedule(std::optional<Nanos> when) {
    Shared& s = *s_;
    if (s.state != State::kEntered) {
        if (s.state == State::kCreated) throw RuntimeError("Timeout has not been entered");
        throw RuntimeError(std::string("Cannot change state of ") + state_value(s.state) + " Timeout");
    }
    s.when = when;
    s.handler.cancel();
    s.handler = Handle();
    if (!when) return;
    Loop& loop = running_loop();
    // _on_timeout: cancel the task (no message) and start expiring.
    std::weak_ptr<Shared> weak = s_;
    auto on_timeout = [weak] {
        if (auto sp = weak.lock()) {
            sp->task->cancel();
            sp->state = State::kExpiring;
            sp->handler = Handle();
        }
    };
    s.handler = *when <= loop.time() ? loop.call_soon(on_timeout) : loop.call_at(*when, on_timeout);
}

Coro<void> Timeout::aenter() {
    if (s_->state != State::kCreated) throw RuntimeError("Timeout has already been entered");
    TaskBase* task = running_loop().current_task();
    if (task == nullptr) throw RuntimeError("Timeout should be used inside a task");
    s_->state = State::kEntered;
    s_->task = task;
    s_->cancelling = task->cancelling();
    reschedule(s_->when);
    co_return;
}

Coro<bool> Timeout::aexit(std::exception_ptr exc) {
    Shared& s = *s_;
    s.handler.cancel();
    s.handler = Handle();
    if (s.state == State::kExpiring) {
        s.state = State::kExpired;
        const Compat& compat = running_loop().compat();
        // uncancel() runs whenever the timeout expired (C9); 3.11.2 compared with 0 instead.
        if (s.task->uncancel() <= s.cancelling && exc) {
            if (compat.cancel_subclass_is_cancel ? is_cancelled_error(exc) : is_exact_cancelled_error(exc)) {
                detail::raise_timeout_from(exc);
            }
            if (compat.timeout_inserts_timeout_error) {
                insert_timeout_error(exc);
                // `isinstance(exc_val, ExceptionGroup)`: not for a BaseExceptionGroup's members.
                if (const ExceptionGroupBase* g = as_group(exc); g != nullptr && is_exception(exc)) {
                    for (const std::exception_ptr& member : g->exceptions()) insert_timeout_error(member);
                }
            }
        }
    } else if (s.state == State::kEntered) {
        s.state = State::kExited;
    }
    co_return false;
}

namespace detail {

namespace {
// _release_waiter, registered on the cancelled future: holds a reference to the waiter.
void release_waiter_cb(void* waiter, void*, bool run);
// CPython registers functools.partial(_release_waiter, waiter); its repr's argument is left out.
[[maybe_unused]] const bool release_named = detail::name_callback(&release_waiter_cb, "_release_waiter");

void release_waiter_cb(void* waiter, void*, bool run) {
    auto* w = static_cast<FutureState<void>*>(waiter);
    if (run && !w->done()) w->set_result();
    w->release();
}
}  // namespace

Coro<void> cancel_and_wait(FutureBase* fut) {
    Future<void> waiter;
    FutureState<void>* w = waiter.state();
    w->add_ref();
    fut->add_callback({&release_waiter_cb, w, nullptr});
    try {
        fut->cancel();
        co_await waiter;
    } catch (...) {
        fut->remove_callbacks_for(w);  // finally: fut.remove_done_callback(cb)
        throw;
    }
    fut->remove_callbacks_for(w);
}

Coro<bool> wait_for_311(FutureBase* fut, Duration delay) {
    Loop& loop = running_loop();
    Future<void> waiter;
    FutureState<void>* w = waiter.state();
    // timeout_handle = loop.call_later(timeout, _release_waiter, waiter)
    w->add_ref();
    Handle timeout_handle = loop.add_timer(loop.time() + delay, {&release_waiter_cb, w, nullptr});
    // fut.add_done_callback(functools.partial(_release_waiter, waiter))
    w->add_ref();
    fut->add_callback({&release_waiter_cb, w, nullptr});
    struct CancelTimer {  // finally: timeout_handle.cancel()
        Handle& h;
        ~CancelTimer() { h.cancel(); }
    } const cancel_timer{timeout_handle};
    std::exception_ptr cancelled;  // co_await is not allowed inside a handler
    try {
        co_await waiter;
    } catch (const CancelledError&) {
        if (fut->done()) co_return false;  // return fut.result()
        cancelled = std::current_exception();
    }
    if (cancelled) {
        fut->remove_callbacks_for(w);
        // "We must ensure that the task is not running after wait_for() returns" (bpo-32751).
        const std::exception_ptr exc = cancelled;
        co_await cancel_and_wait(fut);
        std::rethrow_exception(exc);
    }
    if (fut->done()) co_return false;
    fut->remove_callbacks_for(w);
    co_await cancel_and_wait(fut);
    co_return true;
}

void raise_timeout_from(std::exception_ptr exc) {
    TimeoutError converted;
    converted.cause = exc;
    converted.context = exc;
    converted.suppress_context = true;
    throw converted;
}

}  // namespace detail

}  // namespace corosim
