// conf_done_callbacks.cpp: conformance twin of tests/conformance/programs/done_callbacks.py:
// add_done_callback / remove_done_callback on a future and a task, future identity (B5, G6);
// and of task_repr.py: a task's repr (B15).
#include <cstdint>
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


// ---- task_repr (a task's repr, B15) ----

Coro<std::int64_t> tr_child(std::int64_t x, Nanos delay) {
    co_await sleep(delay);
    co_return x;
}

Coro<std::string> tr_child_text(std::string x, Nanos delay) {
    co_await sleep(delay);
    co_return x;
}

Coro<void> tr_bad() {
    throw ValueError("b");
    co_return;
}

Coro<std::string> tr_outer(Task<std::string> t) { co_return co_await t; }

Coro<void> task_repr() {
    Task<std::int64_t> t = create_task(tr_child(1, seconds(1)).qualname("child"), "c");
    trace("created", {{"r", t.full_repr()}});
    co_await sleep(0);
    trace("suspended", {{"r", t.full_repr()}});
    (void)t.cancel();
    trace("cancelling", {{"r", t.full_repr()}, {"cancelling", t.cancelling()}});
    try {
        co_await t;
    } catch (const CancelledError&) {
    }
    trace("cancelled", {{"r", t.full_repr()}});

    Task<std::string> t2 = create_task(tr_child_text(std::string(40, 'a'), seconds(1)).qualname("child"));
    Task<void> t3 = create_task(tr_bad().qualname("bad"));
    co_await sleep(0);
    trace("failed", {{"r", t3.full_repr()}});
    Task<std::string> t4 = create_task(tr_outer(t2).qualname("outer"));
    co_await sleep(0);
    trace("awaited", {{"r", t2.full_repr()}});
    trace("awaiting", {{"r", t4.full_repr()}});
    trace("main", {{"r", current_task()->full_repr()}});
    (void)co_await t4;
    trace("finished", {{"r", t2.full_repr()}});
    try {
        co_await t3;
    } catch (const ValueError&) {
    }

    Task<std::int64_t> t5 = create_task(tr_child(5, seconds(1)).qualname("child"));
    (void)t5.add_done_callback([](Task<std::int64_t>) {}, "on_done");
    trace("one_cb", {{"r", t5.full_repr()}});
    (void)t5.add_done_callback([](Task<std::int64_t>) {}, "other_cb");
    trace("two_cbs", {{"r", t5.full_repr()}});
    (void)t5.add_done_callback([](Task<std::int64_t>) {}, "on_done");
    (void)t5.add_done_callback([](Task<std::int64_t>) {}, "other_cb");
    trace("four_cbs", {{"r", t5.full_repr()}});
    (void)co_await t5;
    trace("done_cbs", {{"r", t5.full_repr()}});

    Task<std::int64_t> k;
    co_await async_with(TaskGroup(), [&](TaskGroup& tg) -> Coro<void> {
        k = tg.create_task(tr_child(6, millis(500)).qualname("child"));
        co_await sleep(0);
        trace("group_child", {{"r", k.full_repr()}});
    });
    trace("group_done", {{"r", k.full_repr()}});
}

}  // namespace

void register_conf_done_callbacks(Registry& reg) {
    reg.add({"done_callbacks", "runtime",
             "add_done_callback/remove_done_callback on a future and a task: order, context, identity, errors",
             {},
             [](const Context&) { return done_callbacks(); }});
    reg.add({"task_repr", "runtime", "a task's repr: pending, wait_for, cancelling, finished, cancelled, callbacks", {},
             [](const Context&) { return task_repr().qualname("main"); }});
}

}  // namespace corosim::scenarios
