#include "corosim/task_group.hpp"

#include <cstdint>

#include "corosim/exception_group.hpp"

namespace corosim {

namespace detail {

namespace {
bool is_base_error(const std::exception_ptr& e) { return is_loop_fatal(e); }

// The callback's second operand is the child's slot, so that removal needs no search.
void task_done_cb(void* group, void* slot, bool run);
[[maybe_unused]] const bool task_done_named = detail::name_callback(&task_done_cb, "TaskGroup._on_task_done");

void task_done_cb(void* group, void* slot, bool run) {
    auto* g = static_cast<TaskGroupState*>(group);
    const auto i = static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(slot));
    TaskBase* t = g->tasks.at(i);
    if (run) g->on_task_done(i);
    g->release();
    t->release();
}
}  // namespace

std::uint32_t ChildList::push_back(TaskBase* task) {
    std::uint32_t i = free_;
    if (i != kNone) {
        free_ = slots_[i].next;
        slots_[i] = {task, tail_, kNone};
    } else {
        if (slots_.size() >= kNone) throw RuntimeError("TaskGroup: too many children");
        i = static_cast<std::uint32_t>(slots_.size());
        slots_.push_back({task, tail_, kNone});
    }
    if (tail_ != kNone) {
        slots_[tail_].next = i;
    } else {
        head_ = i;
    }
    tail_ = i;
    ++size_;
    return i;
}

void ChildList::erase(std::uint32_t i) {
    Slot& s = slots_[i];
    if (s.prev != kNone) {
        slots_[s.prev].next = s.next;
    } else {
        head_ = s.next;
    }
    if (s.next != kNone) {
        slots_[s.next].prev = s.prev;
    } else {
        tail_ = s.prev;
    }
    s = {nullptr, kNone, free_};
    free_ = i;
    --size_;
}

std::vector<TaskBase*> ChildList::snapshot() const {
    std::vector<TaskBase*> out;
    out.reserve(size_);
    for (std::uint32_t i = head_; i != kNone; i = slots_[i].next) out.push_back(slots_[i].task);
    return out;
}

TaskGroupState::~TaskGroupState() {
    for (TaskBase* t : tasks.snapshot()) t->release();
    if (parent != nullptr) parent->release();
    if (on_completed != nullptr) on_completed->release();
}

std::string TaskGroupState::repr() const {
    std::string info;
    if (!tasks.empty()) info += " tasks=" + std::to_string(tasks.size());
    if (!errors.empty()) info += " errors=" + std::to_string(errors.size());
    if (aborting) {
        info += " cancelling";
    } else if (entered) {
        info += " entered";
    }
    return "<TaskGroup" + info + ">";
}

void TaskGroupState::check_can_create() const {
    if (!entered) throw RuntimeError("TaskGroup " + repr() + " has not been entered");
    if (exiting && tasks.empty()) throw RuntimeError("TaskGroup " + repr() + " is finished");
    if (aborting) throw RuntimeError("TaskGroup " + repr() + " is shutting down");
}

void TaskGroupState::adopt(TaskBase* task) {
    const std::uint32_t slot = tasks.push_back(task);
    task->add_ref();
    add_ref();
    task->add_ref();
    task->add_callback({&task_done_cb, this, reinterpret_cast<void*>(static_cast<std::uintptr_t>(slot))});
}

void TaskGroupState::abort() {
    aborting = true;
    for (TaskBase* t : tasks.snapshot()) {
        if (!t->done()) t->cancel();
    }
}

void TaskGroupState::on_task_done(std::uint32_t slot) {
    TaskBase* task = tasks.at(slot);
    tasks.erase(slot);
    task->release();  // the list's reference; the callback still holds one
    if (on_completed != nullptr && tasks.empty() && !on_completed->done()) on_completed->set_result(true);
    if (task->cancelled()) return;
    bool is_cancel = false;
    std::exception_ptr exc = task->wake_exception(is_cancel);  // task.exception(): retrieves it
    if (!exc) return;
    errors.push_back(exc);
    if (is_base_error(exc) && !base_error) base_error = exc;
    if (parent->done()) {
        loop->call_exception_handler({"Task <Task " + task->name() + "> has errored out but its parent task <Task " +
                                          parent->name() + "> is already completed",
                                      exc,
                                      {{"task", ContextValue::object("<Task " + task->name() + ">")}}});
        return;
    }
    if (!aborting && !parent_cancel_requested) {
        abort();
        parent_cancel_requested = true;
        parent->cancel();
    }
}

}  // namespace detail

TaskGroup::TaskGroup() : s_(new detail::TaskGroupState()) {}

Coro<void> TaskGroup::aenter() {
    detail::TaskGroupState& s = *s_;
    if (s.entered) throw RuntimeError("TaskGroup " + s.repr() + " has already been entered");
    if (s.loop == nullptr) s.loop = &running_loop();
    TaskBase* parent = s.loop->current_task();
    if (parent == nullptr) throw RuntimeError("TaskGroup " + s.repr() + " cannot determine the parent task");
    parent->add_ref();
    s.parent = parent;
    s.entered = true;
    co_return;
}

Coro<bool> TaskGroup::aexit(std::exception_ptr exc) {
    detail::Ref<detail::TaskGroupState> keep = s_;
    detail::TaskGroupState& s = *keep;
    s.exiting = true;
    if (exc && detail::is_base_error(exc) && !s.base_error) s.base_error = exc;
    const Compat& compat = s.loop->compat();
    const bool exc_is_cancel =
        compat.cancel_subclass_is_cancel ? is_cancelled_error(exc) : is_exact_cancelled_error(exc);
    std::exception_ptr propagate = exc_is_cancel ? exc : nullptr;
    // If the group cancelled its parent, that request must be taken back. 3.11/3.12 do it on
    // entry to __aexit__, so a child failing after the body finished leaks it (D8).
    auto uncancel_parent = [&] {
        if (s.parent_cancel_requested && s.parent->uncancel() == 0) propagate = nullptr;
    };
    if (!compat.taskgroup_uncancels_after_wait) uncancel_parent();
    if (exc && !s.aborting) s.abort();
    while (!s.tasks.empty()) {
        if (s.on_completed == nullptr) {
            s.on_completed = new FutureState<bool>(*s.loop);
            s.on_completed->add_ref();
        }
        Future<bool> waiter(detail::Ref<FutureState<bool>>(s.on_completed));
        std::exception_ptr cancelled;
        try {
            co_await waiter;
        } catch (const CancelledError&) {
            cancelled = std::current_exception();
        }
        if (cancelled && !s.aborting) {
            propagate = cancelled;
            s.abort();
        }
        std::exchange(s.on_completed, nullptr)->release();
    }
    if (s.base_error) std::rethrow_exception(s.base_error);
    if (compat.taskgroup_uncancels_after_wait) uncancel_parent();
    if (propagate && s.errors.empty()) std::rethrow_exception(propagate);
    if (exc && !exc_is_cancel) s.errors.push_back(exc);
    if (!s.errors.empty()) {
        // The errors win over an outside cancel; re-requesting it keeps the count and delivers
        // it at the parent's next await (3.13).
        if (compat.taskgroup_recancels_parent && s.parent->cancelling() > 0) {
            s.parent->uncancel();
            s.parent->cancel();
        }
        std::exception_ptr group = make_exception_group("unhandled errors in a TaskGroup", std::move(s.errors));
        s.errors.clear();
        BaseException* b = as_base(group);
        b->suppress_context = true;  // raise ... from None
        b->context = exc;
        std::rethrow_exception(group);
    }
    co_return false;
}

}  // namespace corosim
