// conf_taskgroup.cpp: twins of the TaskGroup conformance programs
// (tests/conformance/programs/taskgroup_*.py); each must print CPython 3.12's trace under FIFO.
#include <string>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

// ---- taskgroup_errors ----

Coro<void> tg_child_on_cancel(std::exception_ptr e, std::string name) {
    trace("child.cancelled", {{"name", name}, {"exc", e}});
    if (name == "b") {
        co_await sleep(millis(500));
        throw TypeError("b");
    }
    std::rethrow_exception(e);
}

Coro<void> tg_child_body(std::string name) {
    co_await sleep(name == "a" ? seconds(1) : seconds(10));
    throw ValueError(name);
}

Coro<void> tg_child(std::string name) {
    co_await try_except<CancelledError>(tg_child_body(name), &tg_child_on_cancel, name);
}

Coro<void> tg_body_on_cancel(std::exception_ptr e) {
    trace("body.cancelled", {{"exc", e}, {"cancelling", current_task()->cancelling()}});
    std::rethrow_exception(e);
}

Coro<void> tg_body(TaskGroup& tg) {
    for (const char* name : {"a", "b", "c"}) tg.create_task(tg_child(name));
    co_await try_except<CancelledError>([]() -> Coro<void> { co_await sleep(seconds(10)); }(), &tg_body_on_cancel);
}

Coro<void> tg_group() { co_await async_with(TaskGroup(), &tg_body); }

Coro<void> taskgroup_errors() {
    TaskBase* me = current_task();
    try {
        co_await tg_group();
    } catch (const ExceptionGroup&) {
        trace("group", {{"exc", chain(std::current_exception())}, {"cancelling", me->cancelling()}});
    }
    std::exception_ptr eg;
    try {
        co_await tg_group();
    } catch (...) {
        eg = std::current_exception();
    }
    std::exception_ptr rest;
    try {
        except_star(eg, {on<ValueError>([](const std::exception_ptr& g) { trace("except*.ValueError", {{"exc", g}}); })});
    } catch (...) {
        rest = std::current_exception();
    }
    except_star(rest, {on<TypeError>([](const std::exception_ptr& g) { trace("except*.TypeError", {{"exc", g}}); })});
    trace("after", {{"cancelling", me->cancelling()}});
}

}  // namespace

void register_conf_taskgroup(Registry& reg) {
    reg.add({"taskgroup_errors", "taskgroup", "two failing children: ExceptionGroup in completion order, except* split",
             {},
             [](const Context&) { return taskgroup_errors(); }});
}

}  // namespace corosim::scenarios
