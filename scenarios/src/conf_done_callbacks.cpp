// conf_done_callbacks.cpp: conformance twin of tests/conformance/programs/done_callbacks.py:
// add_done_callback / remove_done_callback on a future and a task, future identity (B5, G6).
#include <memory>
#include <string>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

const ContextVar<std::string> dc_var("var", std::string("unset"));

std::function<void(Future<int>)> dc_make(std::string name, Future<int> fut) {
    return [name = std::move(name), fut](Future<int> f) {
        trace("cb", {{"name", name}, {"same", f == fut}, {"var", dc_var.get()}, {"result", f.result()}});
    };
}

void dc_bad(Future<void> f) {
    trace("bad", {{"cancelled", f.cancelled()}});
    throw ValueError("cb");
}

Coro<int> dc_child() {
    trace("child");
    co_return 3;
}

Coro<void> done_callbacks() {
    Future<int> fut;
    dc_var.set("at-add");
    const DoneCallbackId a1 = fut.add_done_callback(dc_make("a", fut));
    fut.add_done_callback(dc_make("b", fut));
    const DoneCallbackId a2 = fut.add_done_callback(dc_make("a", fut));
    dc_var.set("later");
    fut.add_done_callback(dc_make("c", fut));
    // Python's remove_done_callback(a) drops both registrations of `a`; here each has an id.
    trace("removed", {{"n", fut.remove_done_callback(a1) + fut.remove_done_callback(a2)}});
    trace("removed.again", {{"n", fut.remove_done_callback(a1) + fut.remove_done_callback(a2)}});
    fut.set_result(7);
    trace("set");
    co_await sleep(0);
    trace("after");

    fut.add_done_callback(dc_make("late", fut));
    trace("added.late");
    co_await sleep(0);

    Future<void> other;
    other.add_done_callback(&dc_bad, "bad");
    trace("same", {{"fut_is_fut", fut == fut}, {"fut_is_other", static_cast<FutureBase*>(fut.state()) == static_cast<FutureBase*>(other.state())}});
    other.cancel();
    co_await sleep(0);
    trace("after.bad");

    Task<int> t = create_task(dc_child());
    t.add_done_callback([t](Task<int> tt) { trace("task.cb", {{"result", tt.result()}, {"same", tt == t}}); });
    const int v = co_await t;
    trace("await", {{"v", v}});
}

}  // namespace

void register_conf_done_callbacks(Registry& reg) {
    reg.add({"done_callbacks", "runtime",
             "add_done_callback/remove_done_callback on a future and a task: order, context, identity, errors",
             {},
             [](const Context&) { return done_callbacks(); }});
}

}  // namespace corosim::scenarios
