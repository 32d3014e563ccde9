// task_group.hpp: asyncio.TaskGroup (SEMANTICS D1-D8; python/cpython Lib/asyncio/taskgroups.py,
// 3.12). The first child failure aborts the group: every other child and the parent are
// cancelled; __aexit__ waits for all children, then raises the errors as an ExceptionGroup in
// completion order (the body's own error last), KeyboardInterrupt/SystemExit bare.
// Use it with async_with: `co_await async_with(TaskGroup(), body, args...)` where
// `body(TaskGroup& tg, args...)` returns a Coro.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "corosim/coro.hpp"
#include "corosim/future.hpp"
#include "corosim/task.hpp"

namespace corosim {

namespace detail {
/// A TaskGroup's children in creation order (SEMANTICS H1: the group cancels them in that order)
/// with O(1) removal, as CPython's `_tasks` set has; a vector erase made a group of N children
/// cost O(N^2). Slots are recycled through a free list: the links, not slot positions, carry the
/// order, so a slot index stays valid from push_back to erase.
class ChildList {
public:
    /// Appends `task` and returns its slot.
    std::uint32_t push_back(TaskBase* task);
    /// The task in a live slot.
    TaskBase* at(std::uint32_t slot) const { return slots_[slot].task; }
    /// Unlinks a live slot and recycles it.
    void erase(std::uint32_t slot);
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    /// The live tasks in creation order.
    std::vector<TaskBase*> snapshot() const;

private:
    static constexpr std::uint32_t kNone = UINT32_MAX;
    struct Slot {
        TaskBase* task;
        std::uint32_t prev;
        std::uint32_t next;  // the next free slot while on the free list
    };
    std::vector<Slot> slots_;
    std::uint32_t head_ = kNone;
    std::uint32_t tail_ = kNone;
    std::uint32_t free_ = kNone;
    std::size_t size_ = 0;
};

/// The group's state; reference counted like futures, since children's done callbacks hold it.
class TaskGroupState {
public:
    void add_ref() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) delete this;
    }
    ~TaskGroupState();

    std::string repr() const;
    void check_can_create() const;
    void adopt(TaskBase* task);
    void on_task_done(std::uint32_t slot);
    void abort();

    bool entered = false;
    bool exiting = false;
    bool aborting = false;
    bool parent_cancel_requested = false;
    Loop* loop = nullptr;
    TaskBase* parent = nullptr;              // referenced while set
    ChildList tasks;                         // referenced
    std::vector<std::exception_ptr> errors;  // completion order
    std::exception_ptr base_error;
    FutureState<bool>* on_completed = nullptr;

private:
    std::uint32_t refs_ = 0;
};
}  // namespace detail

/// An asyncio.TaskGroup handle; copies share one group.
class TaskGroup {
public:
    TaskGroup();

    /// Creates a child task (D2). RuntimeError when the group is not entered, finished or
    /// shutting down; the refused temporary coroutine then warns "never awaited" once the error
    /// is freed (3.13, Compat::taskgroup_refusal_closes_coro: it is closed, no warning).
    template <class T>
    Task<T> create_task(Coro<T>&& coro, std::string name = {}) {
        try {
            s_->check_can_create();
        } catch (RuntimeError& e) {
            if (refusal_closes_coro()) {
                coro.close();
            } else {
                // CPython's traceback keeps the refused coroutine alive until the error is freed.
                e.keepalive = std::make_shared<Coro<T>>(std::move(coro));
            }
            throw;
        }
        return adopt(corosim::create_task(std::move(coro), std::move(name)));
    }
    /// The same for a coroutine the caller keeps in a variable (`coro = f();
    /// tg.create_task(coro)`): `coro` is moved into the task; when the group refuses, `coro`
    /// still holds the coroutine, as the Python caller still has it, to await, close or drop
    /// (dropped unclosed, it warns "never awaited"). On 3.13
    /// (Compat::taskgroup_refusal_closes_coro) it holds it closed: awaiting it raises
    /// RuntimeError('cannot reuse already awaited coroutine').
    template <class T>
    Task<T> create_task(Coro<T>& coro, std::string name = {}) {
        try {
            s_->check_can_create();
        } catch (RuntimeError&) {
            if (refusal_closes_coro()) coro.close();
            throw;
        }
        return adopt(corosim::create_task(coro, std::move(name)));
    }
    /// `<TaskGroup tasks=2 entered>` (D1).
    std::string repr() const { return s_->repr(); }

    /// `__aenter__` (D1).
    Coro<void> aenter();
    /// `__aexit__` (D4).
    Coro<bool> aexit(std::exception_ptr exc);

private:
    static bool refusal_closes_coro() noexcept {
        const Loop* l = Loop::current();
        return l != nullptr && l->compat().taskgroup_refusal_closes_coro;
    }
    template <class T>
    Task<T> adopt(Task<T> t) {
        s_->adopt(t.state());
        return t;
    }

    detail::Ref<detail::TaskGroupState> s_;
};

}  // namespace corosim
