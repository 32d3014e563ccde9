// taskgroup_errors.cpp: the `taskgroup_errors` fuzz family. Children of a TaskGroup fail or
// finish at parameterised times; for every schedule the group must not exit with a child
// pending, and the exceptions in its group must be exactly the children's non-cancellation
// failures (plus the body's own error, last).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

struct GroupLog {
    std::vector<std::string> raised;  // messages of the errors children actually raised
    std::vector<Task<void>> children;
};

Coro<void> tgf_child(std::int64_t i, bool fails, std::int64_t delay_ms, bool fail_on_cancel,
                     std::shared_ptr<GroupLog> log) {
    std::exception_ptr cancelled;
    try {
        co_await sleep(millis(delay_ms));
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    if (cancelled) {
        if (!fail_on_cancel) std::rethrow_exception(cancelled);
        log->raised.push_back("on-cancel " + std::to_string(i));
        throw KeyError("on-cancel " + std::to_string(i));
    }
    if (fails) {
        log->raised.push_back("child " + std::to_string(i));
        throw ValueError("child " + std::to_string(i));
    }
}

Coro<void> tgf_body(TaskGroup& tg, Context c, std::shared_ptr<GroupLog> log) {
    const auto n = c.get("children");
    for (std::int64_t i = 0; i < n; ++i) {
        const bool fails = ((c.get("failing") >> i) & 1) != 0;
        const std::int64_t delay = fails ? c.get("fail_ms") + 100 * i : 300 * (i + 1);
        log->children.push_back(tg.create_task(tgf_child(i, fails, delay, i == c.get("fail_on_cancel"), log)));
    }
    co_await sleep(millis(c.get("body_ms")));
    if (c.get("body_fails") != 0) {
        log->raised.push_back("body");
        throw RuntimeError("body");
    }
}

Coro<void> taskgroup_fail_fast(Context c) {
    auto log = std::make_shared<GroupLog>();
    std::exception_ptr failed;
    try {
        co_await async_with(TaskGroup(), &tgf_body, c, log);
    } catch (...) {
        failed = std::current_exception();
    }
    trace("group.exit", {{"exc", failed}});
    bool all_done = true;
    for (const auto& t : log->children) all_done = all_done && t.done();
    check(all_done, "the group never exits with a child still pending");

    std::vector<std::string> grouped;
    if (failed && is_exception_group(failed)) {
        for (const auto& leaf : leaves(failed)) {
            if (const BaseException* b = as_base(leaf); b != nullptr && b->message()) grouped.push_back(*b->message());
        }
    }
    std::vector<std::string> expected = log->raised;
    std::sort(expected.begin(), expected.end());
    std::sort(grouped.begin(), grouped.end());
    check(grouped == expected, "the group holds exactly the errors raised by children and body");
    check(expected.empty() || is_exception_group(failed), "any error makes the group raise an ExceptionGroup");
    check(current_task()->cancelling() <= 1, "at most the leaked cancel request of SEMANTICS D8 remains");
}

}  // namespace

void register_taskgroup_errors(Registry& reg) {
    reg.add({"taskgroup_fail_fast", "taskgroup_errors",
             "TaskGroup children fail at random times; the group raises exactly their errors, none left pending",
             {{"children", 1, 6, 3, "child tasks"},
              {"failing", 0, 63, 5, "bitmask: children that raise ValueError"},
              {"fail_ms", 0, 2000, 500, "when the first failing child raises"},
              {"fail_on_cancel", -1, 5, 1, "child that raises KeyError when cancelled (-1: none)"},
              {"body_ms", 0, 3000, 1000, "how long the body sleeps"},
              {"body_fails", 0, 1, 0, "the body raises RuntimeError after sleeping"}},
             [](const Context& c) { return taskgroup_fail_fast(c); }});
}

}  // namespace corosim::scenarios
