// conf_cancel.cpp: twins of the cancellation conformance programs
// (tests/conformance/programs/{cancel_*,finally_*,cleanup_raises,catch_then_await}.py).
#include <string>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

// ---- finally_cancelled_once ----

Coro<void> fco_raise() {
    throw ValueError("body");
    co_return;
}

Coro<void> fco_sleep5() { co_await sleep(seconds(5)); }

Coro<void> fco_on_cancel(std::exception_ptr e) {
    trace("finally.caught", {{"exc", chain(e)}});
    std::rethrow_exception(e);
}

Coro<void> fco_cleanup() {
    trace("finally.enter");
    co_await try_except<CancelledError>(fco_sleep5(), &fco_on_cancel);
}

Coro<void> finally_cancelled_once() {
    Task<void> t = create_task(try_finally(fco_raise(), &fco_cleanup));
    co_await sleep(seconds(1));
    trace("cancel", {{"ret", t.cancel("c1")}});
    try {
        co_await t;
    } catch (const CancelledError&) {
        trace("main.caught", {{"exc", chain(std::current_exception())}});
    }
    trace("after", {{"cancelled", t.cancelled()}, {"cancelling", t.cancelling()}});
}

}  // namespace

void register_conf_cancel(Registry& reg) {
    reg.add({"finally_cancelled_once", "cancellation", "cancelled while finally awaits: CancelledError with the body's error as context",
             {},
             [](const Context&) { return finally_cancelled_once(); }});
}

}  // namespace corosim::scenarios
