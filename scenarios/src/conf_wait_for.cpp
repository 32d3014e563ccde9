// conf_wait_for.cpp: conformance twins (see tests/conformance/programs) of the wait_for
// programs with a timeout <= 0 (SEMANTICS C7): the awaitable is cancelled unless done, a
// coroutine first becoming a task that never starts; and of wait_for_versions, a positive
// timeout where 3.11 differs. Each must print its CPython golden under each --python.
#include <algorithm>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

Coro<void> np_ticker(int n) {
    for (int i = 0; i < n; ++i) {
        trace("tick", {{"i", i}});
        co_await sleep(0);
    }
}

// ---- wait_for_nonpositive ----

Coro<std::string> np_sleep_ret(std::string tag) {
    co_await sleep(seconds(1));
    co_return tag;
}

Coro<void> np_work_finally(std::string tag) {
    trace("work.finally", {{"tag", tag}});
    co_return;
}

Coro<std::string> np_work(std::string tag) {
    trace("work.start", {{"tag", tag}});
    co_return co_await try_finally(np_sleep_ret(tag), &np_work_finally, tag);
}

Coro<void> wait_for_nonpositive_main() {
    Task<void> tk = create_task(np_ticker(8), "ticker");
    co_await sleep(0);
    trace("zero.begin");
    try {
        co_await wait_for(np_work("zero"), 0);
    } catch (const TimeoutError&) {
        trace("zero.timeout", {{"exc", chain(std::current_exception())}});
    }
    trace("neg.begin");
    try {
        co_await wait_for(np_work("neg"), -seconds(1));
    } catch (const TimeoutError&) {
        trace("neg.timeout", {{"exc", chain(std::current_exception())}});
    }
    Task<std::string> t = create_task(np_work("later"));
    trace("created", {{"name", t.name()}});
    {
        std::string v = co_await wait_for(np_work("none"), std::nullopt);
        trace("none.value", {{"value", v}});
    }
    {
        std::string v = co_await t;
        trace("later.value", {{"value", v}});
    }
    co_await tk;
    std::vector<std::string> names;
    for (const TaskBase* p : running_loop().pending_tasks()) names.push_back(p->name());
    std::sort(names.begin(), names.end());
    trace("names", {{"tasks", names}});
}

// ---- wait_for_nonpositive_futures ----

Coro<std::string> nf_sleep_ret(std::string tag) {
    co_await sleep(seconds(1));
    co_return tag;
}

Coro<void> nf_body_finally(std::string tag) {
    trace("body.finally", {{"tag", tag}});
    co_return;
}

Coro<std::string> nf_body(std::string tag) {
    trace("body.start", {{"tag", tag}});
    co_return co_await try_finally(nf_sleep_ret(tag), &nf_body_finally, tag);
}

Coro<std::string> nf_swallower() {
    try {
        co_await sleep(seconds(1));
    } catch (const CancelledError&) {
        trace("swallower.caught", {{"exc", std::current_exception()}});
    }
    co_return "swallowed";
}

Coro<std::string> nf_quick() { co_return "quick"; }

template <class H>
Coro<void> nf_attempt(std::string label, H aw) {
    trace(label + ".begin");
    try {
        std::string v = co_await wait_for(std::move(aw), 0);
        trace(label + ".value", {{"value", v}});
    } catch (const TimeoutError&) {
        trace(label + ".timeout", {{"exc", chain(std::current_exception())}});
    } catch (const Exception&) {
        trace(label + ".error", {{"exc", chain(std::current_exception())}});
    }
}

Coro<void> wait_for_nonpositive_futures_main() {
    Task<void> tk = create_task(np_ticker(20), "ticker");
    co_await sleep(0);

    Task<std::string> t1 = create_task(nf_body("unstarted"));
    co_await nf_attempt("unstarted", t1);
    trace("unstarted.state", {{"cancelled", t1.cancelled()}});

    Task<std::string> t2 = create_task(nf_body("suspended"));
    co_await sleep(0);
    co_await nf_attempt("suspended", t2);
    trace("suspended.state", {{"cancelled", t2.cancelled()}});

    Task<std::string> t3 = create_task(nf_swallower());
    co_await sleep(0);
    co_await nf_attempt("swallower", t3);

    Task<std::string> t4 = create_task(nf_quick());
    co_await sleep(0);
    co_await nf_attempt("done", t4);

    Future<std::string> f;
    f.set_exception(std::make_exception_ptr(ValueError("boom")));
    co_await nf_attempt("failed", f);

    Future<std::string> g;
    co_await nf_attempt("pending", g);
    trace("pending.state", {{"cancelled", g.cancelled()}});

    co_await tk;
}

// ---- wait_for_versions ----

Coro<std::string> wv_quick(std::string tag) {
    co_await sleep(0);
    co_return tag;
}

Coro<void> wv_slow_finally(std::string tag) {
    trace("slow.finally", {{"tag", tag}});
    co_return;
}

Coro<void> wv_sleep10() { co_await sleep(seconds(10)); }

Coro<void> wv_slow(std::string tag) {
    co_await try_finally(wv_sleep10(), &wv_slow_finally, tag);
}

Coro<void> wv_fails() {
    co_await sleep(0);
    throw ValueError("bad");
}

Coro<void> wv_waiter() {
    try {
        co_await wait_for(wv_slow("outer"), seconds(5));
    } catch (const CancelledError&) {
        trace("waiter.cancelled", {{"exc", chain(std::current_exception())}});
        throw;
    }
}

Coro<void> wait_for_versions_main() {
    Task<void> tk = create_task(np_ticker(14));
    co_await sleep(0);
    Task<std::string> t = create_task(wv_quick("task"));
    {
        std::string v = co_await wait_for(t, seconds(1));
        trace("task.value", {{"value", v}});
    }
    {
        std::string v = co_await wait_for(wv_quick("coro"), seconds(1));
        trace("coro.value", {{"value", v}});
    }
    Future<std::string> fut;
    try {
        co_await wait_for(fut, millis(500));
    } catch (const TimeoutError&) {
        trace("future.timeout", {{"exc", chain(std::current_exception())}, {"cancelled", fut.cancelled()}});
    }
    try {
        co_await wait_for(wv_fails(), seconds(1));
    } catch (const ValueError&) {
        trace("fails", {{"exc", chain(std::current_exception())}});
    }
    Task<void> w = create_task(wv_waiter());
    co_await sleep(0);
    w.cancel();
    try {
        co_await w;
    } catch (const CancelledError&) {
        trace("w.cancelled", {{"name", w.name()}});
    }
    co_await tk;
    trace("done");
}

}  // namespace

void register_conf_wait_for(Registry& reg) {
    reg.add({"wait_for_versions", "timeouts",
             "wait_for(aw, t > 0) where 3.11's task-and-waiter version differs from 3.12's timeout context", {},
             [](const Context&) { return wait_for_versions_main(); }});
    reg.add({"wait_for_nonpositive", "timeouts",
             "wait_for(coro, t <= 0): a task that never starts, TimeoutError, Task-N numbers consumed", {},
             [](const Context&) { return wait_for_nonpositive_main(); }});
    reg.add({"wait_for_nonpositive_futures", "timeouts",
             "wait_for(task or future, 0): cancelled unless done; swallowed cancel gives the value", {},
             [](const Context&) { return wait_for_nonpositive_futures_main(); }});
}

}  // namespace corosim::scenarios
