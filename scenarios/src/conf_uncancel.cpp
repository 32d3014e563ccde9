// conf_uncancel.cpp: twin of tests/conformance/programs/uncancel_pending.py, where uncancel()
// meets a cancel that is not delivered yet (3.13 drops it, 3.11/3.12 deliver it).
#include <string>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

Coro<std::string> up_worker(std::string tag, bool cancel_self) {
    TaskBase* me = current_task();
    if (cancel_self) {
        trace("cancel", {{"tag", tag}, {"ret", me->cancel("self")}, {"cancelling", me->cancelling()}});
        trace("uncancel", {{"tag", tag}, {"ret", me->uncancel()}});
    }
    try {
        co_await sleep(seconds(1));
        trace("slept", {{"tag", tag}});
    } catch (const CancelledError&) {
        trace("caught", {{"tag", tag}, {"exc", std::current_exception()}, {"cancelling", me->cancelling()}});
    }
    co_return tag;
}

Coro<void> up_join(Task<std::string> t) {
    try {
        std::string v = co_await t;
        trace("result", {{"ret", v}});
    } catch (const CancelledError&) {
        trace("join.cancelled", {{"exc", std::current_exception()}, {"cancelled", t.cancelled()}});
    }
}

Coro<void> uncancel_pending() {
    Task<std::string> first = create_task(up_worker("self_cancel", true));
    co_await up_join(first);

    Task<std::string> second = create_task(up_worker("before_start", false));
    trace("cancel", {{"ret", second.cancel("early")}, {"cancelling", second.cancelling()}});
    trace("uncancel", {{"ret", second.uncancel()}});
    co_await up_join(second);

    Task<std::string> third = create_task(up_worker("while_waiting", false));
    co_await sleep(0);
    trace("cancel", {{"ret", third.cancel("late")}});
    trace("uncancel", {{"ret", third.uncancel()}});
    co_await up_join(third);
}

}  // namespace

void register_conf_uncancel(Registry& reg) {
    reg.add({"uncancel_pending", "cancellation",
             "uncancel() of a cancel not delivered yet: a task that cancelled itself, one cancelled before its first step",
             {},
             [](const Context&) { return uncancel_pending(); }});
}

}  // namespace corosim::scenarios
