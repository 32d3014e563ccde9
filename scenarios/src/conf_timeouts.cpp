// conf_timeouts.cpp: conformance twins (see tests/conformance/programs) of the timeout,
// wait_for, shield, gather and wait programs; each must print CPython 3.12's trace under FIFO.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

// A loop.time()-based deadline in whole ms, as the programs' ms(t) = round(t * 1000).
std::int64_t when_ms(const Timeout& t) { return round_ms(t.when().value_or(0)); }

// ---- shield ----

Coro<std::string> sh_inner() {
    trace("inner.start");
    co_await sleep(seconds(2));
    trace("inner.end");
    co_return "inner-value";
}

Coro<std::string> sh_outer(Task<std::string> it) {
    try {
        Future<std::string> s = shield(it);
        std::string v = co_await s;
        co_return v;
    } catch (const CancelledError&) {
        trace("outer.caught", {{"exc", std::current_exception()}, {"cancelling", current_task()->cancelling()}});
        throw;
    }
}


Coro<void> shield_main() {
    Task<std::string> it = create_task(sh_inner());
    Task<std::string> o = create_task(sh_outer(it));
    co_await sleep(seconds(1));
    trace("cancel", {{"ret", o.cancel("stop")}});
    try {
        co_await o;
    } catch (const CancelledError&) {
        trace("main.outer", {{"exc", std::current_exception()}, {"cancelled", o.cancelled()}});
    }
    std::string v = co_await it;
    trace("main.inner", {{"value", v}, {"cancelled", it.cancelled()}});

    // `f = loop.create_future(); f.set_result(7)`: shield() of a done future returns it (C6).
    Future<int> f;
    f.set_result(7);
    Future<int> s = shield(f);
    bool same = static_cast<FutureBase*>(s.state()) == static_cast<FutureBase*>(f.state());
    int result = co_await s;
    trace("shield.done", {{"same", same}, {"result", result}});
}

// ---- wait_for ----

Coro<std::string> wf_sleep_ret(Nanos d, std::string tag) {
    co_await sleep(d);
    co_return tag;
}

Coro<void> wf_finally(std::string tag) {
    trace("work.finally", {{"tag", tag}});
    co_return;
}

Coro<std::string> wf_work(Nanos d, std::string tag) { return try_finally(wf_sleep_ret(d, tag), &wf_finally, tag); }

Coro<std::string> wf_stubborn() {
    try {
        co_await sleep(seconds(5));
    } catch (const CancelledError&) {
        trace("stubborn.swallow", {{"exc", std::current_exception()}});
    }
    co_return "stubborn-value";
}

Coro<void> wait_for_main() {
    {
        std::string v = co_await wait_for(wf_work(seconds(1), "fast"), seconds(2));
        trace("ok", {{"value", v}});
    }
    try {
        co_await wait_for(wf_work(seconds(5), "slow"), seconds(1));
    } catch (const TimeoutError&) {
        trace("timeout", {{"exc", chain(std::current_exception())}});
    }
    Task<std::string> t = create_task(wf_work(seconds(5), "task"));
    try {
        co_await wait_for(t, seconds(1));
    } catch (const TimeoutError&) {
        trace("timeout.task", {{"exc", chain(std::current_exception())}, {"cancelled", t.cancelled()}});
    }
    try {
        std::string v = co_await wait_for(wf_stubborn(), seconds(1));
        trace("stubborn.result", {{"value", v}});
    } catch (const TimeoutError&) {
        trace("stubborn.timeout", {{"exc", chain(std::current_exception())}});
    }
    trace("after", {{"cancelling", current_task()->cancelling()}});
}

// ---- timeout_basic ----

Coro<void> tb_body1(Timeout& cm) {
    trace("enter", {{"when_ms", when_ms(cm)}, {"expired", cm.expired()}});
    co_await sleep(seconds(5));
}

Coro<void> tb_body2(Timeout& cm) {
    co_await sleep(millis(500));
    cm.reschedule(running_loop().time() + seconds(2));
    trace("rescheduled", {{"when_ms", when_ms(cm)}});
    co_await sleep(seconds(1));
    trace("past.old.deadline", {{"expired", cm.expired()}});
    co_await sleep(seconds(5));
}

Coro<void> tb_body3(Timeout&) { co_await sleep(millis(500)); }

Coro<void> timeout_basic_main() {
    TaskBase* me = current_task();
    {
        Timeout cm = timeout(seconds(1));
        try {
            co_await async_with(cm, &tb_body1);
        } catch (const TimeoutError&) {
            trace("expired", {{"exc", chain(std::current_exception())},
                              {"expired", cm.expired()},
                              {"cancelling", me->cancelling()},
                              {"repr", cm.repr()}});
        }
    }
    {
        Timeout cm = timeout(seconds(1));
        try {
            co_await async_with(cm, &tb_body2);
        } catch (const TimeoutError&) {
            trace("expired2", {{"exc", chain(std::current_exception())}, {"expired", cm.expired()}});
        }
    }
    Timeout cm = timeout_at(running_loop().time() + seconds(1));
    co_await async_with(cm, &tb_body3);
    trace("timeout_at", {{"when_ms", when_ms(cm)}, {"expired", cm.expired()}, {"repr", cm.repr()}});
    try {
        cm.reschedule(std::nullopt);
    } catch (const RuntimeError&) {
        trace("reschedule.after.exit", {{"exc", std::current_exception()}});
    }
}

// ---- timeout_nested ----

Coro<void> tn_sleep5(Timeout&) { co_await sleep(seconds(5)); }

Coro<void> tn_first_body(Timeout& outer, TaskBase* me) {
    Timeout inner = timeout(seconds(1));
    try {
        co_await async_with(inner, &tn_sleep5);
    } catch (const TimeoutError&) {
        trace("inner.first", {{"exc", chain(std::current_exception())},
                              {"inner", inner.expired()},
                              {"outer", outer.expired()},
                              {"cancelling", me->cancelling()}});
    }
}

Coro<void> tn_second_body(Timeout&, Timeout inner) { co_await async_with(inner, &tn_sleep5); }

Coro<void> tn_victim() {
    Timeout cm = timeout(seconds(1));
    try {
        co_await async_with(cm, &tn_sleep5);
    } catch (const CancelledError&) {
        trace("victim.cancelled", {{"exc", chain(std::current_exception())},
                                   {"expired", cm.expired()},
                                   {"cancelling", current_task()->cancelling()}});
        throw;
    }
}

Coro<void> tn_sleep5_plain() { co_await sleep(seconds(5)); }
Coro<void> tn_sleep1_plain() { co_await sleep(seconds(1)); }

Coro<void> tn_cleaner_body(Timeout&) { co_await try_finally(tn_sleep5_plain(), &tn_sleep1_plain); }

Coro<void> tn_cleaner() {
    Timeout cm = timeout(seconds(1));
    try {
        co_await async_with(cm, &tn_cleaner_body);
    } catch (const CancelledError&) {
        trace("cleaner.cancelled", {{"exc", chain(std::current_exception())},
                                    {"expired", cm.expired()},
                                    {"cancelling", current_task()->cancelling()}});
        throw;
    }
}

Coro<void> timeout_nested_main() {
    TaskBase* me = current_task();
    {
        Timeout outer = timeout(seconds(3));
        co_await async_with(outer, &tn_first_body, me);
        trace("outer.untouched", {{"expired", outer.expired()}});
    }
    {
        Timeout outer = timeout(seconds(1));
        Timeout inner = timeout(seconds(2));
        try {
            co_await async_with(outer, &tn_second_body, inner);
        } catch (const TimeoutError&) {
            trace("outer.first", {{"exc", chain(std::current_exception())},
                                  {"inner", inner.expired()},
                                  {"outer", outer.expired()},
                                  {"cancelling", me->cancelling()}});
        }
    }
    for (int i = 0; i < 2; ++i) {
        Task<void> t = create_task(i == 0 ? tn_victim() : tn_cleaner());
        co_await sleep(i == 0 ? seconds(1) : millis(500));
        trace("cancel", {{"ret", t.cancel("outside")}});
        try {
            co_await t;
        } catch (const CancelledError&) {
            trace("main.caught", {{"exc", std::current_exception()}, {"cancelled", t.cancelled()}});
        }
    }
}

// ---- gather_basic ----

Coro<std::string> gb_val(Nanos d, std::string v) {
    co_await sleep(d);
    trace("child.done", {{"v", v}});
    co_return v;
}

Coro<std::string> gb_fail(Nanos d, std::exception_ptr e) {
    co_await sleep(d);
    std::rethrow_exception(e);
}

Coro<void> gather_basic_main() {
    {
        std::vector<Task<std::string>> ts;
        ts.push_back(create_task(gb_val(seconds(2), "a")));
        ts.push_back(create_task(gb_val(seconds(1), "b")));
        ts.push_back(create_task(gb_val(0, "c")));
        Future<std::vector<std::string>> g = gather(ts);
        std::vector<std::string> r = co_await g;
        trace("results", {{"r", r}});
    }
    {
        std::vector<Task<std::string>> ts;
        ts.push_back(create_task(gb_val(millis(1500), "x")));
        ts.push_back(create_task(gb_fail(seconds(1), std::make_exception_ptr(ValueError("g")))));
        ts.push_back(create_task(gb_val(seconds(3), "y")));
        Future<std::vector<std::string>> g = gather(ts);
        try {
            co_await g;
        } catch (const ValueError&) {
            trace("raised", {{"exc", std::current_exception()}});
        }
    }
    co_await sleep(seconds(3));
    {
        Task<std::string> c = create_task(gb_val(seconds(5), "c5"));
        std::vector<Task<std::string>> ts;
        ts.push_back(create_task(gb_val(seconds(1), "r1")));
        ts.push_back(create_task(gb_fail(seconds(1), std::make_exception_ptr(KeyError("k")))));
        ts.push_back(c);
        Future<std::vector<Settled<std::string>>> g = gather_settled(ts);
        co_await sleep(0);
        c.cancel();
        std::vector<Settled<std::string>> r = co_await g;
        trace("return_exceptions", {{"r", r}});
    }
    {
        std::vector<Task<std::string>> ts;
        ts.push_back(create_task(gb_val(seconds(5), "p")));
        ts.push_back(create_task(gb_val(seconds(5), "q")));
        Future<std::vector<std::string>> g2 = gather(ts);
        co_await sleep(seconds(1));
        trace("cancel.gather", {{"ret", g2.cancel("gmsg")}});
        try {
            co_await g2;
        } catch (const CancelledError&) {
            trace("gather.cancelled", {{"exc", std::current_exception()}});
        }
    }
}

// ---- wait_modes ----

Coro<std::int64_t> wm_job(std::int64_t d, bool fail) {
    co_await sleep(seconds(d));
    if (fail) throw with_int_arg<ValueError>(static_cast<long>(d));
    co_return d;
}

std::vector<std::string> wm_names(const std::vector<Task<std::int64_t>>& ts) {
    std::vector<std::string> out;
    for (const auto& t : ts) out.push_back(t.name());
    std::sort(out.begin(), out.end());
    return out;
}

Coro<void> wait_modes_main() {
    std::vector<Task<std::int64_t>> ts;
    for (std::int64_t d : {1, 2, 3}) ts.push_back(create_task(wm_job(d, false), "j" + std::to_string(d)));
    WaitResult<std::int64_t> r = co_await wait(ts, ReturnWhen::kFirstCompleted);
    trace("first_completed", {{"done", wm_names(r.done)}, {"pending", wm_names(r.pending)}});
    WaitResult<std::int64_t> r2 = co_await wait(r.pending);
    trace("all_completed", {{"done", wm_names(r2.done)}, {"pending", wm_names(r2.pending)}});

    std::vector<Task<std::int64_t>> es;
    for (std::int64_t d : {1, 2, 3}) es.push_back(create_task(wm_job(d, d == 2), "e" + std::to_string(d)));
    WaitResult<std::int64_t> r3 = co_await wait(es, ReturnWhen::kFirstException);
    trace("first_exception",
          {{"done", wm_names(r3.done)}, {"pending", wm_names(r3.pending)}, {"exc", es[1].exception()}});
    WaitResult<std::int64_t> r4 = co_await wait(r3.pending, ReturnWhen::kAllCompleted, millis(500));
    trace("timeout", {{"done", wm_names(r4.done)}, {"pending", wm_names(r4.pending)}});
    es[2].cancel();
    WaitResult<std::int64_t> r5 = co_await wait(r4.pending);
    trace("cancelled", {{"done", wm_names(r5.done)}, {"pending", wm_names(r5.pending)}, {"cancelled", es[2].cancelled()}});
}

// ---- timeout_versions ----

COROSIM_DEFINE_EXCEPTION(MyCancelled, CancelledError);  // class MyCancelled(asyncio.CancelledError)

Coro<void> tv_on_cancel(std::exception_ptr e, std::string kind) {
    if (kind == "subclass") throw MyCancelled("mine");
    if (kind == "other") throw ValueError("other");
    if (kind == "group") {
        std::exception_ptr member = std::make_exception_ptr(ValueError("member"));
        as_base(member)->context = e;  // raised (and caught) while the CancelledError was handled
        std::rethrow_exception(make_exception_group("eg", {member}));
    }
    std::rethrow_exception(e);
    co_return;
}

Coro<void> tv_sleep10() { co_await sleep(seconds(10)); }

Coro<void> tv_body(Timeout&, std::string kind) {
    co_await try_except<CancelledError>(tv_sleep10(), &tv_on_cancel, kind);
}

Coro<void> timeout_versions_main() {
    TaskBase* me = current_task();
    for (const char* kind : {"subclass", "other", "group", "plain"}) {
        try {
            co_await async_with(timeout(seconds(1)), &tv_body, std::string(kind));
        } catch (const BaseException&) {
            std::exception_ptr e = std::current_exception();
            trace("caught", {{"case", kind}, {"exc", chain(e)}, {"cancelling", me->cancelling()}});
            if (const ExceptionGroupBase* g = as_group(e)) trace("member", {{"exc", chain(g->exceptions()[0])}});
        }
    }
}

// ---- as_completed ----

Coro<void> ac_ticker(int n) {
    for (int i = 0; i < n; ++i) {
        trace("tick", {{"i", i}});
        co_await sleep(0);
    }
}

Coro<std::string> ac_work_body(Nanos d, std::string tag, bool fail) {
    co_await sleep(d);
    if (fail) throw ValueError(tag);
    co_return tag;
}

// `work(d, tag, fail)`: named as the program's coroutine, since a task's repr shows it.
Task<std::string> ac_work(Nanos d, std::string tag, bool fail = false) {
    return create_task(ac_work_body(d, std::move(tag), fail).qualname("work"));
}

Coro<void> as_completed_main() {
    std::vector<Task<std::string>> ts{ac_work(seconds(3), "a"), ac_work(seconds(1), "b"), ac_work(seconds(2), "c", true)};
    int n = 0;
    AsCompleted<std::string> it = as_completed(ts);
    for (std::size_t i = 0; i < it.size(); ++i) {
        Coro<std::string> f = it.next();
        try {
            std::string v = co_await std::move(f);
            trace("result", {{"value", v}});
        } catch (const ValueError&) {
            trace("error", {{"exc", std::current_exception()}});
        }
        ++n;
    }
    trace("count", {{"n", n}});

    Task<std::string> t = ac_work(seconds(1), "dup");
    AsCompleted<std::string> twice = as_completed(std::vector<Task<std::string>>{t, t});
    for (std::size_t i = 0; i < twice.size(); ++i) {
        Coro<std::string> f = twice.next();
        std::string v = co_await std::move(f);
        trace("dup", {{"value", v}});
    }

    Task<std::string> done = ac_work(0, "early");
    co_await sleep(0);
    co_await sleep(0);
    trace("early.done", {{"done", done.done()}});
    Task<std::string> late = ac_work(seconds(1), "late");
    Task<void> tick = create_task(ac_ticker(4));
    AsCompleted<std::string> order = as_completed(std::vector<Task<std::string>>{late, done});
    for (std::size_t i = 0; i < order.size(); ++i) {
        Coro<std::string> f = order.next();
        std::string v = co_await std::move(f);
        trace("order", {{"value", v}});
    }
    co_await tick;

    Task<std::string> fast = ac_work(seconds(1), "fast");
    Task<std::string> slow = ac_work(seconds(5), "slow");
    AsCompleted<std::string> timed = as_completed(std::vector<Task<std::string>>{fast, slow}, millis(1500));
    co_await sleep(seconds(2));
    trace("lazy", {{"fast_done", fast.done()}, {"slow", slow.full_repr()}});
    for (std::size_t i = 0; i < timed.size(); ++i) {
        Coro<std::string> f = timed.next();
        try {
            std::string v = co_await std::move(f);
            trace("timed", {{"value", v}, {"slow", slow.full_repr()}});
        } catch (const TimeoutError&) {
            trace("timed.out", {{"exc", std::current_exception()}, {"slow", slow.full_repr()}});
        }
    }
    trace("slow.after", {{"done", slow.done()}});
    std::string v = co_await slow;
    trace("slow.result", {{"value", v}});

    AsCompleted<std::string> dropped = as_completed(std::vector<Task<std::string>>{ac_work(seconds(1), "dropped")});
    {
        Coro<std::string> f = dropped.next();  // `f = next(it); del f`
        (void)f;
    }
    trace("dropped");
    co_await sleep(seconds(2));
}

}  // namespace

void register_conf_timeouts(Registry& reg) {
    reg.add({"shield", "shield_and_wait_for", "shield(): outer cancelled at once, inner keeps running; done future returned as is",
             {},
             [](const Context&) { return shield_main(); }});
    reg.add({"wait_for", "timeouts", "wait_for(): in time, timed out (coroutine and task), swallowed cancel returns the value",
             {},
             [](const Context&) { return wait_for_main(); }});
    reg.add({"timeout_basic", "timeouts", "timeout()/timeout_at(): expiry to TimeoutError from CancelledError, reschedule, repr",
             {},
             [](const Context&) { return timeout_basic_main(); }});
    reg.add({"timeout_nested", "timeouts", "nested timeouts and outside cancels competing with a timeout",
             {},
             [](const Context&) { return timeout_nested_main(); }});
    reg.add({"timeout_versions", "timeouts",
             "timeout() exits where 3.13 differs: a CancelledError subclass converted, a TimeoutError put in the context chain",
             {},
             [](const Context&) { return timeout_versions_main(); }});
    reg.add({"as_completed", "shield_and_wait_for",
             "as_completed(): completion order, errors, duplicates, a done task, timeout; lazy start on 3.11/3.12",
             {},
             [](const Context&) { return as_completed_main(); }});
    reg.add({"gather_basic", "shield_and_wait_for", "gather(): argument order, first error, return_exceptions, cancel(msg)",
             {},
             [](const Context&) { return gather_basic_main(); }});
    reg.add({"wait_modes", "shield_and_wait_for", "wait(): FIRST_COMPLETED, ALL_COMPLETED, FIRST_EXCEPTION, timeout, cancelled",
             {},
             [](const Context&) { return wait_modes_main(); }});
}

}  // namespace corosim::scenarios
