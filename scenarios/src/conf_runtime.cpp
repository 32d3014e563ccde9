// conf_runtime.cpp: twins of the runtime conformance programs (tests/conformance/programs/
// {sync_*,unawaited_*,never_retrieved,exception_handler,blocking_call}.py):
// the synchronisation primitives, Queue, coroutine-object diagnostics, the loop's exception
// handler and debug mode. Each must print CPython 3.12's trace under FIFO.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

// ---- sync_event_lock ----

Coro<void> sel_ev_waiter(sync::Event ev, std::string tag) {
    trace("ev.wait", {{"tag", tag}});
    Coro<bool> w = ev.wait();
    bool v = co_await std::move(w);
    trace("ev.woke", {{"tag", tag}, {"value", v}});
}

Coro<void> sel_locked_body(Lock&, std::string tag) {
    trace("lock.got", {{"tag", tag}});
    co_await sleep(seconds(1));
    trace("lock.release", {{"tag", tag}});
}

Coro<void> sel_locker(Lock lock, std::string tag) {
    trace("lock.want", {{"tag", tag}});
    try {
        Coro<void> c = async_with(lock, &sel_locked_body, tag);
        co_await std::move(c);
    } catch (const CancelledError&) {
        trace("lock.cancelled", {{"tag", tag}});
    }
}

Coro<void> sync_event_lock() {
    sync::Event ev;
    std::vector<Task<void>> ws;
    for (int i = 0; i < 3; ++i) ws.push_back(create_task(sel_ev_waiter(ev, "w" + std::to_string(i))));
    co_await sleep(0);
    ev.set();
    trace("ev.set", {{"is_set", ev.is_set()}});
    {
        Coro<void> now = sel_ev_waiter(ev, "now");
        co_await std::move(now);
    }
    {
        auto g = gather(ws);
        co_await g;
    }
    ev.clear();
    Task<void> w = create_task(sel_ev_waiter(ev, "late"));
    co_await sleep(seconds(1));
    ev.set();
    co_await w;

    Lock lock;
    {
        Coro<bool> a = lock.acquire();
        co_await std::move(a);
    }
    std::vector<Task<void>> ls;
    for (int i : {1, 2, 3}) ls.push_back(create_task(sel_locker(lock, "l" + std::to_string(i))));
    co_await sleep(0);
    ls[1].cancel();
    co_await sleep(0);
    trace("main.release", {{"locked", lock.locked()}});
    lock.release();
    {
        auto g = gather(ls);
        co_await g;
    }
    trace("lock.free", {{"locked", lock.locked()}});

    {
        Coro<bool> a = lock.acquire();
        co_await std::move(a);
    }
    ls.clear();
    for (int i : {4, 5}) ls.push_back(create_task(sel_locker(lock, "l" + std::to_string(i))));
    co_await sleep(0);
    lock.release();
    ls[0].cancel();
    {
        auto g = gather(ls);
        co_await g;
    }
    trace("end", {{"locked", lock.locked()}});
}

// ---- sync_semaphore_condition ----

Coro<void> ssc_held(Semaphore& sem, std::string tag) {
    trace("sem.in", {{"tag", tag}, {"locked", sem.locked()}});
    co_await sleep(seconds(1));
    trace("sem.out", {{"tag", tag}});
}

Coro<void> ssc_holder(Semaphore sem, std::string tag) {
    Coro<void> c = async_with(sem, &ssc_held, tag);
    co_await std::move(c);
}

Coro<void> ssc_cwait_body(Condition& cond, std::string tag) {
    trace("cond.wait", {{"tag", tag}});
    Coro<bool> w = cond.wait();
    co_await std::move(w);
    trace("cond.woke", {{"tag", tag}});
}

Coro<void> ssc_cwaiter(Condition cond, std::string tag) {
    Coro<void> c = async_with(cond, &ssc_cwait_body, tag);
    co_await std::move(c);
}

Coro<void> ssc_pwait_body(Condition& cond, std::shared_ptr<int> box) {
    auto pred = [box] {
        trace("pred", {{"n", *box}});
        return *box >= 2;
    };
    Coro<bool> w = cond.wait_for(pred);
    bool v = co_await std::move(w);
    trace("pred.done", {{"value", v}});
}

Coro<void> ssc_pwaiter(Condition cond, std::shared_ptr<int> box) {
    Coro<void> c = async_with(cond, &ssc_pwait_body, box);
    co_await std::move(c);
}

Coro<void> ssc_notify_one(Condition& cond) {
    cond.notify(1);
    trace("notified", {{"n", 1}});
    co_return;
}

Coro<void> ssc_notify_all(Condition& cond) {
    cond.notify_all();
    trace("notified", {{"n", "all"}});
    co_return;
}

Coro<void> ssc_bump(Condition& cond, std::shared_ptr<int> box) {
    *box += 1;
    cond.notify();
    co_return;
}

Coro<void> sync_semaphore_condition() {
    Semaphore sem(2);
    {
        // gather(*[holder(...)]) wraps each coroutine in a task, in argument order.
        std::vector<Task<void>> hs;
        for (int i = 0; i < 4; ++i) hs.push_back(create_task(ssc_holder(sem, "s" + std::to_string(i))));
        auto g = gather(hs);
        co_await g;
    }
    trace("sem.end", {{"locked", sem.locked()}});

    BoundedSemaphore bs(1);
    {
        Coro<bool> a = bs.acquire();
        co_await std::move(a);
    }
    bs.release();
    try {
        bs.release();
    } catch (const ValueError&) {
        trace("bounded", {{"exc", std::current_exception()}});
    }

    Condition cond;
    std::vector<Task<void>> ts;
    for (int i = 0; i < 3; ++i) ts.push_back(create_task(ssc_cwaiter(cond, "c" + std::to_string(i))));
    co_await sleep(0);
    {
        Coro<void> c = async_with(cond, &ssc_notify_one);
        co_await std::move(c);
    }
    co_await sleep(0);
    {
        Coro<void> c = async_with(cond, &ssc_notify_all);
        co_await std::move(c);
    }
    {
        auto g = gather(ts);
        co_await g;
    }

    auto box = std::make_shared<int>(0);
    Task<void> t = create_task(ssc_pwaiter(cond, box));
    for (int i = 0; i < 2; ++i) {
        co_await sleep(seconds(1));
        Coro<void> c = async_with(cond, &ssc_bump, box);
        co_await std::move(c);
    }
    co_await t;
}

// ---- sync_queue ----
// The Python queue holds ints and strings; trace renders strings raw, so a queue of strings
// holding "0".."3" prints the same as ints.

Coro<void> sq_producer(Queue<std::string> q) {
    for (int i = 0; i < 4; ++i) {
        trace("put", {{"item", i}});
        Coro<void> p = q.put(std::to_string(i));
        co_await std::move(p);
        trace("put.done", {{"item", i}, {"size", q.qsize()}});
    }
}

Coro<void> sq_consumer(Queue<std::string> q, int n) {
    for (int k = 0; k < n; ++k) {
        Coro<std::string> g = q.get();
        std::string item = co_await std::move(g);
        trace("got", {{"item", item}});
        co_await sleep(seconds(1));
        q.task_done();
    }
}

Coro<void> sq_getter(Queue<std::string> q, std::string tag) {
    try {
        Coro<std::string> g = q.get();
        std::string item = co_await std::move(g);
        trace("get.got", {{"tag", tag}, {"item", item}});
    } catch (const CancelledError&) {
        trace("get.cancelled", {{"tag", tag}});
    }
}

Coro<void> sync_queue() {
    Queue<std::string> q(2);
    try {
        (void)q.get_nowait();
    } catch (const QueueEmpty&) {
        trace("empty", {{"exc", std::current_exception()}});
    }
    Task<void> p = create_task(sq_producer(q));
    Task<void> c = create_task(sq_consumer(q, 4));
    co_await p;
    try {
        q.put_nowait("extra");
    } catch (const QueueFull&) {
        trace("full", {{"exc", std::current_exception()}});
    }
    {
        Coro<void> j = q.join();
        co_await std::move(j);
    }
    trace("joined", {{"size", q.qsize()}});
    co_await c;

    std::vector<Task<void>> gs;
    for (int i : {1, 2}) gs.push_back(create_task(sq_getter(q, "g" + std::to_string(i))));
    co_await sleep(0);
    gs[0].cancel();
    co_await sleep(0);
    q.put_nowait("x");
    {
        auto g = gather(gs);
        co_await g;
    }

    gs.clear();
    for (int i : {3, 4}) gs.push_back(create_task(sq_getter(q, "g" + std::to_string(i))));
    co_await sleep(0);
    q.put_nowait("y");
    gs[0].cancel();
    {
        auto g = gather(gs);
        co_await g;
    }
    trace("end", {{"size", q.qsize()}});
}

// ---- unawaited_basic ----
// The coroutine function is named `work` because the never-awaited warning shows its name.

Coro<void> work(std::string tag) {
    trace("body", {{"tag", tag}});
    co_return;
}

Coro<void> ub_inner() {
    trace("body", {{"tag", "inner"}});
    co_return;
}

Coro<void> unawaited_basic() {
    {
        Coro<void> c = work("main");
        trace("created", {{"coro", "coroutine"}});  // type(c).__name__
    }  // del c
    trace("dropped");
    {
        Coro<void> c = ub_inner().qualname("main.<locals>.inner");
        c = Coro<void>();  // c = None
        trace("dropped.inner");
        c = work("closed");
        c.close();
    }  // del c
    trace("closed");
    Loop& loop = running_loop();
    Future<void> done;
    auto callback = [done]() mutable {
        trace("cb.start");
        {
            Coro<void> c = work("cb");
        }  // del c
        trace("cb.end");
        done.set_result();
    };
    loop.call_soon(callback, "callback(<Future pending>)");
    co_await done;
    trace("end");
}

// ---- unawaited_reuse ----

Coro<int> ur_give(int v) {
    trace("give.body", {{"v", v}});
    co_return v;
}

Coro<void> ur_fail() {
    trace("fail.body");
    throw ValueError("boom");
    co_return;
}

Coro<void> ur_other() {
    trace("other.ran");
    co_return;
}

Coro<void> unawaited_reuse() {
    (void)create_task(ur_other());
    Coro<int> c = ur_give(1);
    int v = co_await c;
    trace("first", {{"value", v}});
    try {
        co_await c;
    } catch (const RuntimeError&) {
        trace("again", {{"exc", std::current_exception()}});
    }
    Coro<void> f = ur_fail();
    try {
        co_await f;
    } catch (const ValueError&) {
        trace("first.fail", {{"exc", std::current_exception()}});
    }
    try {
        co_await f;
    } catch (const RuntimeError&) {
        trace("again.fail", {{"exc", std::current_exception()}});
    }
    // h.send(None) drives the body to StopIteration(2) without yielding; Coro has no send(),
    // and a first await of a coroutine that returns without suspending is the same thing.
    Coro<int> h = ur_give(2);
    int by_hand = co_await h;
    trace("by_hand", {{"value", by_hand}});
    try {
        co_await h;
    } catch (const RuntimeError&) {
        trace("again.by_hand", {{"exc", std::current_exception()}});
    }
    co_await sleep(0);
    trace("end");
}

// ---- never_retrieved ----

Coro<void> nr_boom(std::string tag) {
    trace("boom", {{"tag", tag}});
    throw ValueError(tag);
    co_return;
}

Coro<void> never_retrieved() {
    Loop& loop = running_loop();
    (void)create_task(nr_boom("lost"));
    loop.call_soon([] { trace("tick"); }, "trace('tick')");
    co_await sleep(0);
    co_await sleep(0);
    trace("after.lost");

    {
        Task<void> t = create_task(nr_boom("retrieved"));
        co_await sleep(0);
        trace("retrieved", {{"exc", t.exception()}});
        t = Task<void>();  // del t: the last reference; no report since the exception was retrieved
        trace("freed.retrieved", {{"alive", static_cast<bool>(t)}});
    }
    {
        Task<void> t = create_task(nr_boom("cancelled"));
        co_await sleep(0);
        bool returned = t.cancel();
        trace("cancel", {{"returned", returned}, {"done", t.done()}});
        t = Task<void>();  // del t: cancel() on a done task cleared _log_traceback; no report
        trace("freed.cancelled", {{"alive", static_cast<bool>(t)}});
    }
}

// ---- exception_handler ----

void eh_custom(Loop&, const ExceptionContext& context) {
    std::vector<std::string> keys{"message"};
    if (context.exception) keys.push_back("exception");
    for (const auto& [k, v] : context.keys) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    // context.get("handle"): the handle's repr (the key's rendered text, raw) or None.
    auto it = context.keys.find("handle");
    Field handle = it != context.keys.end() ? Field("handle", it->second) : Field("handle", None);
    trace("handler", {{"keys", keys}, {"message", context.message}, handle, {"exc", context.exception}});
    if (context.message == "raise") throw KeyError("in handler");
}

using HandlerFn = void (*)(Loop&, const ExceptionContext&);

Coro<void> exception_handler_twin() {
    Loop& loop = running_loop();
    loop.set_exception_handler(&eh_custom);
    const HandlerFn* installed = loop.exception_handler().target<HandlerFn>();
    trace("installed", {{"same", installed != nullptr && *installed == &eh_custom}});
    loop.call_soon(
        [] {
            trace("bad", {{"n", 1}});
            throw with_int_arg<ValueError>(1);
        },
        "bad(1)");
    co_await sleep(0);
    trace("after.custom");
    loop.call_exception_handler(ExceptionContext{"raise", nullptr, {}});
    trace("after.raise");
    loop.set_exception_handler(nullptr);
    std::optional<std::string> handler;
    if (loop.exception_handler()) handler = "<custom>";
    trace("restored", {{"handler", handler}});
    loop.call_soon(
        [] {
            trace("bad", {{"n", 2}});
            throw with_int_arg<ValueError>(2);
        },
        "bad(2)");
    co_await sleep(0);
    trace("after.default");
}

// ---- blocking_call ----

Coro<void> bc_sleeper() {
    trace("sleeper.start");
    co_await sleep(millis(500));
    trace("sleeper.woke");
}

Coro<void> blocking_call() {
    Loop& loop = running_loop();
    loop.set_debug(true);
    loop.set_slow_callback_duration(millis(500));
    Task<void> t = create_task(bc_sleeper());
    co_await sleep(0);
    trace("block", {{"seconds", 1}});
    blocking(seconds(1));
    trace("unblocked");
    co_await t;
    trace("block", {{"seconds", "0.25"}});  // the float 0.25, rendered as Python's repr
    blocking(millis(250));
    co_await sleep(0);
    loop.call_soon(
        [] {
            trace("cb.start");
            blocking(seconds(1));
            trace("cb.end");
        },
        "slow_cb()");
    co_await sleep(0);
    trace("after.cb");
    loop.set_debug(false);
    trace("debug.off");
    blocking(seconds(1));
    co_await sleep(0);
    trace("block.nodebug");
    blocking(seconds(1));
    co_await sleep(0);
    trace("end", {{"debug", loop.debug()}});
}

}  // namespace

void register_conf_runtime(Registry& reg) {
    reg.add({"sync_event_lock", "runtime", "Event wake-up order and Lock FIFO hand-off, cancelled waiters skipped", {},
             [](const Context&) { return sync_event_lock(); }});
    reg.add({"sync_semaphore_condition", "runtime",
             "Semaphore FIFO, BoundedSemaphore over-release, Condition notify/notify_all/wait_for", {},
             [](const Context&) { return sync_semaphore_condition(); }});
    reg.add({"sync_queue", "runtime", "Queue put/get blocking, nowait errors, join, cancelled getters lose no item", {},
             [](const Context&) { return sync_queue(); }});
    reg.add({"unawaited_basic", "runtime", "coroutines dropped unawaited warn with their qualname; close() does not", {},
             [](const Context&) { return unawaited_basic(); }});
    reg.add({"unawaited_reuse", "runtime", "awaiting a finished coroutine raises 'cannot reuse already awaited coroutine'",
             {},
             [](const Context&) { return unawaited_reuse(); }});
    reg.add({"never_retrieved", "runtime", "a failed task freed unretrieved is reported; retrieved or cancelled ones not",
             {},
             [](const Context&) { return never_retrieved(); }});
    reg.add({"exception_handler", "runtime", "custom loop exception handler, a raising handler, the default restored", {},
             [](const Context&) { return exception_handler_twin(); }});
    reg.add({"blocking_call", "runtime", "blocking calls delay timers; debug mode reports slow callbacks and steps", {},
             [](const Context&) { return blocking_call(); }});
}

}  // namespace corosim::scenarios
