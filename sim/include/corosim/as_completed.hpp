// as_completed.hpp: asyncio.as_completed over tasks (SEMANTICS B16; python/cpython
// Lib/asyncio/tasks.py as_completed, 3.13's _AsCompletedIterator). Each next() hands out one
// `_wait_for_one()` coroutine, which gives the next result in completion order through a Queue
// that the tasks' done callbacks fill, as CPython's does, so results arrive in the same loop
// iterations.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "corosim/future.hpp"
#include "corosim/loop.hpp"
#include "corosim/queue.hpp"
#include "corosim/task.hpp"
#include "corosim/time.hpp"

namespace corosim {

namespace detail {

/// An item of as_completed's Queue: a finished task, or None, the timeout's mark.
struct CompletedItem {
    TaskBase* task = nullptr;
    /// The item's repr, should a Queue message show it.
    std::string repr() const { return task != nullptr ? task->full_repr() : "None"; }
};

/// What CPython's as_completed generator (3.13: _AsCompletedIterator) keeps.
struct AsCompletedState {
    Queue<CompletedItem> done;      // finished tasks in completion order
    std::vector<TaskBase*> tasks;   // the distinct tasks given (`set(fs)`), referenced
    std::vector<TaskBase*> todo;    // those whose completion has not been queued yet
    std::optional<Duration> timeout;
    Handle timeout_handle;
    std::size_t handed_out = 0;     // next() calls so far
    bool started = false;
    int refs = 0;

    void add_ref() noexcept { ++refs; }
    void release() noexcept {
        if (--refs == 0) delete this;
    }
    ~AsCompletedState() {
        for (TaskBase* t : tasks) t->release();
    }
};

/// Registers the done callbacks and starts the timeout (at the first next() on 3.11/3.12,
/// whose as_completed is a generator; at the call on 3.13).
void as_completed_start(AsCompletedState& s);

/// The qualname of the coroutines next() hands out, per the running loop's Python version.
const char* as_completed_wait_name();

/// `_wait_for_one()`: the next finished task's result (raising its exception), TimeoutError
/// once the timeout fired.
template <class T>
Coro<T> as_completed_wait_one(Ref<AsCompletedState> s) {
    const CompletedItem item = co_await s->done.get();
    TaskBase* f = item.task;
    if (f == nullptr) throw TimeoutError();
    if constexpr (std::is_void_v<T>) {
        static_cast<TaskState<void>*>(f)->result();
    } else {
        co_return static_cast<TaskState<T>*>(f)->result();
    }
}

}  // namespace detail

/// The iterator `asyncio.as_completed(tasks, timeout=...)` returns: size() coroutines, each
/// from next(), in the order a `for f in as_completed(...)` loop gets them.
template <class T>
class AsCompleted {
public:
    /// How many results there are: the distinct tasks given.
    std::size_t size() const noexcept { return s_->tasks.size(); }

    /// The next `_wait_for_one()` coroutine; awaiting it gives the next result in completion
    /// order. The first call registers the done callbacks and starts the timeout, as the first
    /// step of CPython 3.11/3.12's generator does. RuntimeError after size() calls (Python's
    /// StopIteration).
    Coro<T> next() {
        if (s_->handed_out == s_->tasks.size()) throw RuntimeError("as_completed: all results were handed out");
        if (!s_->started) detail::as_completed_start(*s_);
        ++s_->handed_out;
        return detail::as_completed_wait_one<T>(s_).qualname(detail::as_completed_wait_name());
    }

private:
    template <class U>
    friend AsCompleted<U> as_completed(const std::vector<Task<U>>& tasks, std::optional<Duration> timeout);
    explicit AsCompleted(detail::Ref<detail::AsCompletedState> s) : s_(std::move(s)) {}
    detail::Ref<detail::AsCompletedState> s_;
};

/// asyncio.as_completed(tasks, timeout=...) over tasks (a task given twice counts once):
/// `auto it = as_completed(ts); for (std::size_t i = 0; i < it.size(); ++i) v = co_await
/// it.next();`. With a timeout, every result not in by then raises TimeoutError; the tasks are
/// left running. Compat::as_completed_eager (3.13) starts at this call instead of the first
/// next().
template <class T>
AsCompleted<T> as_completed(const std::vector<Task<T>>& tasks, std::optional<Duration> timeout = std::nullopt) {
    detail::Ref<detail::AsCompletedState> s(new detail::AsCompletedState());
    for (const Task<T>& t : tasks) {
        TaskBase* b = t.state();
        if (std::find(s->tasks.begin(), s->tasks.end(), b) != s->tasks.end()) continue;
        b->add_ref();
        s->tasks.push_back(b);
    }
    s->timeout = timeout;
    if (running_loop().compat().as_completed_eager) detail::as_completed_start(*s);
    return AsCompleted<T>(std::move(s));
}

}  // namespace corosim
