// conf_gc.cpp: twins of the cyclic-collection programs (tests/conformance/programs/
// {destroyed_pending,destroyed_pending_chain,heldout_destroyed_pending}.py): pending tasks
// nothing can reach are closed with GeneratorExit and reported at gc_point() (SEMANTICS A6,
// B12, H2). Each must print CPython 3.12's trace under FIFO.
#include <algorithm>
#include <exception>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

// ---- destroyed_pending ----
// A pending task whose future only its own frame holds is a cycle; gc_point() collects it:
// GeneratorExit at its await (its `finally` runs with main as the current task), then the
// B12 report. `stubborn` awaits again after catching GeneratorExit: the close fails with
// "coroutine ignored GeneratorExit" (an unraisable report), then the task is reported too.

Coro<void> dp_waiter() {
    Future<void> fut;
    try {
        trace("waiting");
        co_await fut;
    } catch (...) {
        trace("waiter.finally");
        throw;
    }
    trace("waiter.finally");
}

Coro<void> dp_stubborn() {
    Future<void> fut;
    std::exception_ptr exit;
    try {
        trace("waiting");
        co_await fut;
    } catch (const GeneratorExit&) {
        exit = std::current_exception();
    }
    if (exit) {  // except GeneratorExit: (no co_await inside a catch handler)
        trace("stubborn.except");
        co_await sleep(0);
        trace("stubborn.unreached");
    }
}

Coro<void> destroyed_pending() {
    {
        Task<void> t = create_task(dp_waiter().qualname("waiter"));
        co_await sleep(0);
    }  // del t
    trace("released");
    gc_point("one");
    trace("after.one");
    {
        Task<void> t = create_task(dp_stubborn().qualname("stubborn"));
        co_await sleep(0);
    }  // del t
    trace("released");
    gc_point("two");
    trace("after.two");
}

// ---- destroyed_pending_chain ----
// Chains deeper than one frame: close() reaches the innermost frame first; a child that awaits
// again after GeneratorExit sends RuntimeError into its awaiter, and is closed once more as
// that await unwinds (before the parent's `finally`); a parent awaiting a child task, both
// unreachable, are collected in creation order.

Coro<void> dpc_child() {
    Future<void> fut;
    std::exception_ptr exit;
    try {
        trace("child.waiting");
        co_await fut;
    } catch (const GeneratorExit&) {
        exit = std::current_exception();
    }
    if (exit) {  // except GeneratorExit:
        trace("child.except");
        try {
            co_await sleep(0);
            trace("child.unreached");
        } catch (...) {
            trace("child.finally");
            throw;
        }
    }
    trace("child.finally");
}

Coro<void> dpc_top() {
    try {
        co_await dpc_child().qualname("child");
    } catch (...) {
        trace("top.finally", {{"exc", std::current_exception()}});
        throw;
    }
}

Coro<void> dpc_polite() {
    Future<void> fut;
    try {
        co_await fut;
    } catch (...) {
        trace("polite.finally");
        throw;
    }
}

Coro<void> dpc_parent(Task<void> t) {
    try {
        co_await t;
    } catch (...) {
        trace("parent.finally");
        throw;
    }
}

Coro<void> destroyed_pending_chain() {
    {
        Task<void> t = create_task(dpc_top().qualname("top"));
        co_await sleep(0);
    }
    gc_point("one");
    trace("after.one");
    {
        Task<void> t = create_task(dpc_polite().qualname("polite"));
        co_await sleep(0);
        Task<void> p = create_task(dpc_parent(t).qualname("parent"));
        co_await sleep(0);
    }
    gc_point("two");
    trace("after.two");
}

// ---- heldout_destroyed_pending (test_tasks.py::test_log_destroyed_pending_task) ----

Coro<void> hdp_kill_me() {
    Future<void> future;
    co_await future;
    // at this point, the only reference to the task is its wakeup callback on `future`
    trace("never.reached");
    throw Exception("code never reached");
}

void hdp_handler(Loop&, const ExceptionContext& context) {
    std::vector<std::string> keys{"message"};
    if (context.exception) keys.push_back("exception");
    for (const auto& [k, v] : context.keys) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    const auto task = context.keys.find("task");
    trace("handler", {{"keys", keys},
                      {"message", context.message},
                      Field("task", task != context.keys.end() ? task->second : std::string("?"))});
}

Coro<void> heldout_destroyed_pending() {
    Loop& loop = running_loop();
    loop.set_exception_handler(&hdp_handler);
    {
        Task<void> task = create_task(hdp_kill_me().qualname("kill_me"));
        trace("tasks", {{"n", static_cast<std::int64_t>(loop.pending_tasks().size())}});
        co_await sleep(0);
    }  // task = None
    trace("released", {{"task", None}});
    gc_point("collect");
    trace("tasks", {{"n", static_cast<std::int64_t>(loop.pending_tasks().size())}});
    gc_point("again");
    loop.set_exception_handler(nullptr);
    trace("end");
}

}  // namespace

void register_conf_gc(Registry& reg) {
    reg.add({"destroyed_pending", "runtime", "pending tasks freed by the cyclic GC: finally runs, then the report", {},
             [](const Context&) { return destroyed_pending(); }});
    reg.add({"destroyed_pending_chain", "runtime",
             "collected chains: close() through awaits, an ignoring child, a parent awaiting a child task", {},
             [](const Context&) { return destroyed_pending_chain(); }});
    reg.add({"heldout_destroyed_pending", "runtime",
             "test_log_destroyed_pending_task: the handler gets message and task; all_tasks shrinks", {},
             [](const Context&) { return heldout_destroyed_pending(); }});
}

}  // namespace corosim::scenarios
