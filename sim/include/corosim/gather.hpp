// gather.hpp: asyncio.gather, asyncio.wait and asyncio.shield over tasks (SEMANTICS B14, C6;
// python/cpython Lib/asyncio/tasks.py gather/_GatheringFuture, _wait, shield). Outcomes travel
// as stored values (exception_ptr and flags), never rethrown to be inspected.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "corosim/future.hpp"
#include "corosim/repr.hpp"
#include "corosim/task.hpp"

namespace corosim {

/// One child's outcome in `gather(..., return_exceptions=True)`: a value or an exception.
template <class T>
struct Settled {
    std::optional<std::conditional_t<std::is_void_v<T>, NoneType, T>> value;  ///< set when it returned
    std::exception_ptr error;  ///< what it raised (CancelledError included); null when it returned
};

/// Python's repr of a Settled: the exception's repr, or the value's.
template <class T>
std::string py_repr(const Settled<T>& s) {
    return s.error ? exception_repr(s.error) : py_repr(*s.value);
}

namespace detail {

/// _GatheringFuture: cancel() cancels the children and remembers it did (B14).
template <class R>
class GatherState final : public FutureState<R> {
public:
    using FutureState<R>::FutureState;
    const char* py_type_name() const override { return "_GatheringFuture"; }
    bool cancel(CancelMessage msg = {}) override {
        if (this->done()) return false;
        bool ret = false;
        for (TaskBase* child : children) {
            if (child->cancel(msg)) ret = true;
        }
        if (ret) cancel_requested = true;
        return ret;
    }
    std::vector<TaskBase*> children;  // referenced by the per-child callbacks
    std::size_t finished = 0;
    bool cancel_requested = false;
    bool return_exceptions = false;
};

template <class T>
auto child_value(TaskBase* t) {
    if constexpr (std::is_void_v<T>) {
        return NoneType{};
    } else {
        return static_cast<TaskState<T>*>(t)->result();
    }
}

/// gather's _done_callback for child `fut`.
template <class T, class R>
void gather_child_done(void* outer_ptr, void* child_ptr, bool run) {
    auto* outer = static_cast<GatherState<R>*>(outer_ptr);
    auto* fut = static_cast<TaskBase*>(child_ptr);
    if (run) {
        ++outer->finished;
        bool is_cancel = false;
        if (outer->done()) {
            if (!fut->cancelled()) (void)fut->wake_exception(is_cancel);  // mark it retrieved
        } else if (!outer->return_exceptions && (fut->cancelled() || fut->wake_exception(is_cancel))) {
            outer->set_exception(fut->wake_exception(is_cancel));
        } else if (outer->finished == outer->children.size()) {
            R results;
            for (TaskBase* child : outer->children) {
                if constexpr (std::is_same_v<R, std::vector<Settled<T>>>) {
                    Settled<T> s;
                    if (child->cancelled()) {
                        // Built fresh, not retrieved: CancelledError('' if msg is None else msg),
                        // and a cancelled task's own message is None (B14).
                        s.error = std::make_exception_ptr(child->cancel_message().error_or_empty());
                    } else if (auto e = child->wake_exception(is_cancel)) {
                        s.error = e;
                    } else {
                        s.value.emplace(child_value<T>(child));
                    }
                    results.push_back(std::move(s));
                } else {
                    results.push_back(child_value<T>(child));
                }
            }
            if (outer->cancel_requested) {
                outer->set_exception(fut->wake_exception(is_cancel));
            } else {
                outer->set_result(std::move(results));
            }
        }
    }
    outer->release();
    fut->release();
}

template <class T, class R>
Future<R> gather_impl(const std::vector<Task<T>>& tasks, bool return_exceptions) {
    auto* outer = new GatherState<R>(running_loop());
    Future<R> handle{Ref<FutureState<R>>(outer)};
    outer->return_exceptions = return_exceptions;
    if (tasks.empty()) {
        outer->set_result(R{});
        return handle;
    }
    for (const auto& t : tasks) outer->children.push_back(t.state());
    for (const auto& t : tasks) {
        outer->add_ref();
        t.state()->add_ref();
        static const bool named = name_callback(&gather_child_done<T, R>, "gather.<locals>._done_callback");
        (void)named;
        t.state()->add_callback({&gather_child_done<T, R>, outer, t.state()});
    }
    return handle;
}

}  // namespace detail

/// asyncio.gather(*tasks): the results in argument order; the first failure (or cancellation)
/// of a child becomes the gather's exception while the others keep running (B14).
template <class T>
Future<std::vector<std::conditional_t<std::is_void_v<T>, NoneType, T>>> gather(const std::vector<Task<T>>& tasks) {
    using R = std::vector<std::conditional_t<std::is_void_v<T>, NoneType, T>>;
    return detail::gather_impl<T, R>(tasks, false);
}

/// asyncio.gather(*tasks, return_exceptions=True): every outcome, a cancelled child as
/// `CancelledError('')` (or its message).
template <class T>
Future<std::vector<Settled<T>>> gather_settled(const std::vector<Task<T>>& tasks) {
    return detail::gather_impl<T, std::vector<Settled<T>>>(tasks, true);
}

/// When asyncio.wait returns.
enum class ReturnWhen : std::uint8_t { kFirstCompleted, kFirstException, kAllCompleted };

/// asyncio.wait's (done, pending), each in argument order (Python returns sets).
template <class T>
struct WaitResult {
    std::vector<Task<T>> done;     ///< the tasks that finished (or were cancelled)
    std::vector<Task<T>> pending;  ///< the tasks still running when wait() returned
};

namespace detail {
/// _wait's waiter and counter; `on_completion` runs as each child's done callback.
struct WaitState {
    FutureState<void>* waiter = nullptr;
    std::size_t counter = 0;
    ReturnWhen when = ReturnWhen::kAllCompleted;
    Handle timeout;
};
void wait_on_completion(void* state, void* child, bool run);
void wait_setup(WaitState& state, const std::vector<TaskBase*>& children, std::optional<Nanos> timeout);
void wait_teardown(WaitState& state, const std::vector<TaskBase*>& children);
}  // namespace detail

/// asyncio.wait(tasks, timeout=, return_when=); `tasks` must not be empty.
template <class T>
Coro<WaitResult<T>> wait(std::vector<Task<T>> tasks, ReturnWhen when = ReturnWhen::kAllCompleted,
                         std::optional<Duration> timeout = std::nullopt) {
    if (tasks.empty()) throw ValueError("Set of Tasks/Futures is empty.");
    std::vector<TaskBase*> children;
    for (const auto& t : tasks) children.push_back(t.state());
    detail::WaitState state;
    state.when = when;
    detail::wait_setup(state, children, timeout);
    Future<void> waiter{detail::Ref<FutureState<void>>(state.waiter)};
    std::exception_ptr failed;
    try {
        co_await waiter;
    } catch (...) {
        failed = std::current_exception();
    }
    detail::wait_teardown(state, children);
    if (failed) std::rethrow_exception(failed);
    WaitResult<T> out;
    for (auto& t : tasks) (t.done() ? out.done : out.pending).push_back(std::move(t));
    co_return out;
}

/// asyncio.shield(future): the future itself when it is already done (C6), else a linked outer.
template <class T>
Future<T> shield(const Future<T>& inner);

namespace detail {
template <class T>
void shield_inner_done(void* outer_ptr, void* inner_ptr, bool run);
template <class T>
void shield_outer_done(void* outer_ptr, void* inner_ptr, bool run);
}  // namespace detail

namespace detail {
template <class T, class S>
void shield_inner_done(void* outer_ptr, void* inner_ptr, bool run) {
    auto* outer = static_cast<FutureState<T>*>(outer_ptr);
    auto* inner = static_cast<S*>(inner_ptr);
    if (run) {
        if (outer->cancelled()) {
            if (!inner->cancelled()) {
                bool c = false;
                (void)inner->wake_exception(c);  // mark it retrieved
            }
        } else if (inner->cancelled()) {
            outer->cancel();
        } else {
            bool c = false;
            if (auto e = inner->wake_exception(c)) {
                outer->set_exception(e);
            } else if constexpr (std::is_void_v<T>) {
                outer->set_result();
            } else {
                outer->set_result(inner->result());
            }
        }
    }
    outer->release();
    inner->release();
}

template <class T, class S>
void shield_outer_done(void* outer_ptr, void* inner_ptr, bool run) {
    auto* outer = static_cast<FutureState<T>*>(outer_ptr);
    auto* inner = static_cast<S*>(inner_ptr);
    // _outer_done_callback: once the outer is done, nobody needs the inner's outcome any more.
    if (run && !inner->done()) inner->remove_callbacks_for(outer);
    outer->release();
    inner->release();
}

/// The outer future of shield(), linked to `in` both ways (C6).
template <class T, class S>
Future<T> shield_link(S* in) {
    auto* outer = new FutureState<T>(running_loop());
    Future<T> handle{Ref<FutureState<T>>(outer)};
    outer->add_ref();
    in->add_ref();
    if (in->done()) {
        shield_inner_done<T, S>(outer, in, true);
        return handle;
    }
    static const bool named = name_callback(&shield_inner_done<T, S>, "shield.<locals>._inner_done_callback") &&
                              name_callback(&shield_outer_done<T, S>, "shield.<locals>._outer_done_callback");
    (void)named;
    in->add_callback({&shield_inner_done<T, S>, outer, in});
    outer->add_ref();
    in->add_ref();
    outer->add_callback({&shield_outer_done<T, S>, outer, in});
    return handle;
}
}  // namespace detail

/// asyncio.shield(task): a future that completes with the task's outcome; cancelling it leaves
/// the task running (C6). A Task is not a Future<T> here, so a done task's outcome is copied
/// into a new future where CPython would return the task itself.
template <class T>
Future<T> shield(const Task<T>& inner) {
    return detail::shield_link<T>(inner.state());
}

/// asyncio.shield(future): the future itself when it is already done (C6), else a linked outer.
template <class T>
Future<T> shield(const Future<T>& inner) {
    if (inner.done()) return inner;
    return detail::shield_link<T>(inner.state());
}

}  // namespace corosim
