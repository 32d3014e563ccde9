#include "corosim/combinators.hpp"

#include "corosim/exception_group.hpp"
#include "corosim/task.hpp"

namespace corosim::detail {

void chain_context(const std::exception_ptr& raised, const std::exception_ptr& handling) {
    if (!raised || !handling || raised == handling) return;
    BaseException* b = as_base(raised);
    if (b == nullptr || b->context) return;
    // Python refuses to create a cycle: skip when `raised` is already in handling's chain.
    for (BaseException* link = as_base(handling); link != nullptr; link = as_base(link->context)) {
        if (link == b) return;
    }
    b->context = handling;
}

Handling::Handling(std::exception_ptr exc) {
    if (!exc) return;
    Loop* loop = Loop::current();
    // A coroutine driven by hand keeps its handled exceptions with its driver, not the caller.
    task_ = loop == nullptr ? nullptr : loop->driving() != nullptr ? loop->driving() : loop->current_task();
    if (task_ != nullptr) task_->handling().push_back(std::move(exc));
}

Handling::~Handling() {
    if (task_ != nullptr) task_->handling().pop_back();
}

}  // namespace corosim::detail
