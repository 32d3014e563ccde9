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

namespace corosim::detail {

Coro<void> try_except_star_impl(Coro<void> body, std::vector<AsyncStarClause> clauses) {
    auto outcome = co_await std::move(body).settle();
    if (!outcome.error) co_return;
    StarMatcher m(outcome.error);
    for (const AsyncStarClause& clause : clauses) {
        std::exception_ptr matched = m.take(clause.match);
        if (!matched) continue;
        std::exception_ptr raised;
        try {
            // Inside the clause sys.exc_info() is its subgroup: a cancel at one of its awaits
            // has the subgroup as __context__ (as clause_ended gives what the clause raises).
            Handling handling(matched);
            Coro<void> h = clause.handler(matched);
            co_await std::move(h);
        } catch (...) {
            raised = std::current_exception();
        }
        m.clause_ended(matched, raised);
    }
    if (auto out = m.result()) std::rethrow_exception(out);
}

}  // namespace corosim::detail
