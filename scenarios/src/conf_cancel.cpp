// conf_cancel.cpp: twins of the cancellation conformance programs
// (tests/conformance/programs/{cancel_*,finally_*,cleanup_raises,catch_then_await,handlers_await}.py).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

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

// ---- cancel_return_values ----

Coro<int> crv_quick() { co_return 1; }

Coro<void> crv_waiter(Future<void> fut) {
    try {
        co_await fut;
    } catch (const CancelledError&) {
        trace("waiter.caught", {{"exc", std::current_exception()}, {"cancelling", current_task()->cancelling()}});
        throw;
    }
}

Coro<void> cancel_return_values() {
    Task<int> t = create_task(crv_quick());
    co_await t;
    trace("done.cancel", {{"ret", t.cancel()}, {"cancelling", t.cancelling()}, {"cancelled", t.cancelled()},
                          {"result", t.result()}});
    Future<void> fut;
    Task<void> w = create_task(crv_waiter(fut));
    co_await sleep(seconds(0));
    trace("cancel", {{"first", w.cancel("m1")}, {"second", w.cancel("m2")}, {"cancelling", w.cancelling()},
                     {"fut_cancelled", fut.cancelled()}});
    try {
        co_await w;
    } catch (const CancelledError&) {
        trace("main.caught", {{"exc", std::current_exception()}});
    }
    trace("after", {{"cancelled", w.cancelled()}, {"cancelling", w.cancelling()}});
    trace("cancel.again", {{"ret", w.cancel()}, {"cancelling", w.cancelling()}});
    trace("uncancel", {{"r1", w.uncancel()}, {"r2", w.uncancel()}, {"r3", w.uncancel()}, {"cancelling", w.cancelling()}});
}

// ---- cancel_before_start ----

Coro<void> cbs_body() {
    trace("body.ran");
    co_return;
}

Coro<void> cancel_before_start() {
    Task<void> t = create_task(cbs_body());
    trace("cancel", {{"first", t.cancel()}, {"second", t.cancel("second")}, {"cancelling", t.cancelling()}});
    try {
        co_await t;
    } catch (const CancelledError&) {
        trace("main.caught", {{"exc", std::current_exception()}});
    }
    trace("after", {{"cancelled", t.cancelled()}, {"cancelling", t.cancelling()}});
}

// ---- cancel_swallow ----

Coro<std::string> csw_swallower(std::string tag) {
    try {
        co_await sleep(seconds(10));
    } catch (const CancelledError&) {
        trace("swallow", {{"tag", tag}, {"exc", std::current_exception()}, {"cancelling", current_task()->cancelling()}});
    }
    co_await sleep(seconds(1));
    co_return tag + ".value";
}

Coro<std::string> csw_outer(Task<std::string> inner) {
    std::string v = co_await inner;
    trace("outer.got", {{"value", v}, {"cancelling", current_task()->cancelling()}});
    co_return v;
}

Coro<void> cancel_swallow() {
    Task<std::string> a = create_task(csw_swallower("a"));
    co_await sleep(seconds(0));
    trace("cancel.a", {{"ret", a.cancel("stop")}});
    std::string r = co_await a;
    trace("a.done", {{"result", r}, {"cancelled", a.cancelled()}, {"cancelling", a.cancelling()}});

    Task<std::string> inner = create_task(csw_swallower("inner"));
    Task<std::string> out = create_task(csw_outer(inner));
    co_await sleep(seconds(0));
    trace("cancel.outer", {{"ret", out.cancel("outer-msg")}});
    r = co_await out;
    trace("outer.done", {{"result", r}, {"cancelled", out.cancelled()}, {"cancelling_outer", out.cancelling()},
                         {"cancelling_inner", inner.cancelling()}});
}

// ---- cancel_self ----

Coro<std::string> cs_self_return() {
    trace("self.cancel", {{"ret", current_task()->cancel("self")}});
    co_return "dropped";
}

Coro<void> cs_self_sleep() {
    current_task()->cancel("self2");
    try {
        co_await sleep(seconds(1));
        trace("not.reached");
    } catch (const CancelledError&) {
        trace("sleep.caught", {{"exc", std::current_exception()}});
        throw;
    }
}

template <class T>
Coro<void> cs_await(Task<T> t) {
    try {
        co_await t;
    } catch (const CancelledError&) {
        trace("main.caught", {{"exc", std::current_exception()}});
    }
    trace("after", {{"cancelled", t.cancelled()}, {"cancelling", t.cancelling()}});
}

Coro<void> cancel_self() {
    Coro<std::string> c1 = cs_self_return();
    Coro<void> c2 = cs_self_sleep();
    Task<std::string> t1 = create_task(std::move(c1));
    Coro<void> a1 = cs_await(t1);
    co_await std::move(a1);
    Task<void> t2 = create_task(std::move(c2));
    Coro<void> a2 = cs_await(t2);
    co_await std::move(a2);
}

// ---- cancel_by_hand ----

Coro<void> cbh_by_hand(std::shared_ptr<std::exception_ptr> box) {
    co_await sleep(seconds(0));
    *box = std::make_exception_ptr(CancelledError("x"));
    std::rethrow_exception(*box);
}

Coro<void> cancel_by_hand() {
    auto box = std::make_shared<std::exception_ptr>();
    Task<void> t = create_task(cbh_by_hand(box));
    try {
        co_await t;
    } catch (const CancelledError&) {
        std::exception_ptr e = std::current_exception();
        trace("first", {{"exc", e}, {"same", e == *box}});
    }
    trace("state", {{"cancelled", t.cancelled()}, {"cancelling", t.cancelling()}});
    for (std::string how : {"result", "exception", "await"}) {
        std::exception_ptr e;
        try {
            if (how == "await") {
                co_await t;
            } else if (how == "result") {
                t.result();
            } else {
                (void)t.exception();
            }
        } catch (const CancelledError&) {
            e = std::current_exception();
        }
        if (e) trace("later", {{"how", how}, {"exc", e}, {"same", e == *box}});
    }
}

// ---- cancel_after_result ----

Coro<void> car_waiter(Future<int> fut) {
    try {
        int v = co_await fut;
        trace("not.reached", {{"value", v}});
    } catch (const CancelledError&) {
        trace("waiter.caught", {{"exc", std::current_exception()}, {"fut_result", fut.result()}});
        throw;
    }
}

Coro<void> cancel_after_result() {
    Future<int> fut;
    Task<void> t = create_task(car_waiter(fut));
    co_await sleep(seconds(0));
    fut.set_result(42);
    trace("cancel", {{"ret", t.cancel("late")}, {"fut_done", fut.done()}, {"fut_cancelled", fut.cancelled()}});
    try {
        co_await t;
    } catch (const CancelledError&) {
        trace("main.caught", {{"exc", std::current_exception()}});
    }
    trace("after", {{"cancelled", t.cancelled()}, {"cancelling", t.cancelling()}});
}

// ---- finally_cancelled_twice ----

Coro<void> fct_sleep(Nanos d) { co_await sleep(d); }

Coro<void> fct_on_cancel(std::exception_ptr e) {
    trace("cleanup.caught", {{"exc", chain(e)}});
    co_await sleep(seconds(5));
    trace("not.reached");
}

Coro<void> fct_cleanup() {
    trace("finally.enter");
    co_await try_except<CancelledError>(fct_sleep(seconds(5)), &fct_on_cancel);
}

Coro<void> finally_cancelled_twice() {
    Task<void> t = create_task(try_finally(fct_sleep(seconds(10)), &fct_cleanup));
    for (const char* msg : {"c1", "c2", "c3"}) {
        co_await sleep(seconds(1));
        trace("cancel", {{"msg", std::string(msg)}, {"ret", t.cancel(std::string(msg))}});
    }
    try {
        co_await t;
    } catch (const CancelledError&) {
        trace("main.caught", {{"exc", chain(std::current_exception())}});
    }
    trace("after", {{"cancelled", t.cancelled()}, {"cancelling", t.cancelling()}});
}

// ---- cleanup_raises ----

Coro<void> cr_body() {
    co_await sleep(seconds(1));
    throw ValueError("body");
}

Coro<void> cr_cleanup() {
    trace("finally.enter");
    co_await sleep(seconds(1));
    throw RuntimeError("cleanup");
}

Coro<void> cleanup_raises() {
    Task<void> t = create_task(try_finally(cr_body(), &cr_cleanup));
    try {
        co_await t;
    } catch (const Exception&) {
        std::exception_ptr e = std::current_exception();
        trace("main.caught", {{"exc", chain(e)}, {"same", t.exception() == e}});
    }
    trace("after", {{"cancelled", t.cancelled()}, {"cancelling", t.cancelling()}});
}

// ---- catch_then_await ----

Coro<std::string> cta_body(std::string mode) {
    co_await sleep(seconds(1));
    throw ValueError(mode);
}

Coro<std::string> cta_sleep5() {
    co_await sleep(seconds(5));
    trace("not.reached");
    co_return std::string();
}

Coro<std::string> cta_on_cancel(std::exception_ptr c, std::string mode) {
    trace("except.cancelled", {{"exc", chain(c)}});
    if (mode == "swallow") co_return "handled";
    std::rethrow_exception(c);
}

Coro<std::string> cta_on_error(std::exception_ptr e, std::string mode) {
    trace("except.enter", {{"exc", e}});
    Coro<std::string> c = try_except<CancelledError>(cta_sleep5(), &cta_on_cancel, mode);
    std::string v = co_await std::move(c);
    co_return v;
}

Coro<std::string> cta_worker(std::string mode) {
    Coro<std::string> c = try_except<Exception>(cta_body(mode), &cta_on_error, mode);
    std::string v = co_await std::move(c);
    co_return v;
}

Coro<void> catch_then_await() {
    for (const char* mode : {"plain", "swallow"}) {
        Task<std::string> t = create_task(cta_worker(mode));
        co_await sleep(seconds(2));
        t.cancel();
        try {
            std::string v = co_await t;
            trace("main.result", {{"value", v}});
        } catch (const CancelledError&) {
            trace("main.caught", {{"exc", chain(std::current_exception())}});
        }
        trace("after", {{"cancelled", t.cancelled()}, {"cancelling", t.cancelling()}});
    }
}

// ---- async_with ----

struct AwCM {
    std::string name;
    bool suppress = false;
    bool slow = false;

    Coro<void> aenter() {
        trace("aenter", {{"name", name}});
        co_await sleep(seconds(0));
    }

    Coro<bool> aexit(std::exception_ptr e) {
        trace("aexit", {{"name", name}, {"exc", e}});
        co_await sleep(slow ? seconds(5) : seconds(0));
        co_return suppress;
    }
};

Coro<void> aw_body_s(AwCM& m) {
    trace("body", {{"v", m.name}});
    throw ValueError("suppressed");
    co_return;
}

Coro<void> aw_body_n(AwCM&) {
    throw ValueError("kept");
    co_return;
}

Coro<void> aw_body_slow(AwCM&) {
    throw KeyError("k");
    co_return;
}

Coro<void> aw_slow_user() {
    Coro<void> c = async_with(AwCM{"slow", false, true}, &aw_body_slow);
    co_await std::move(c);
}

Coro<void> async_with_twin() {
    Coro<void> s = async_with(AwCM{"s", true, false}, &aw_body_s);
    co_await std::move(s);
    trace("after.s");
    try {
        Coro<void> n = async_with(AwCM{"n", false, false}, &aw_body_n);
        co_await std::move(n);
    } catch (const ValueError&) {
        trace("caught", {{"exc", chain(std::current_exception())}});
    }
    Task<void> t = create_task(aw_slow_user());
    co_await sleep(seconds(1));
    t.cancel("c");
    try {
        co_await t;
    } catch (const CancelledError&) {
        trace("slow.caught", {{"exc", chain(std::current_exception())}});
    }
}

// ---- handlers_await: the lambda forms of try_finally / try_except / try_except_star ----

using namespace std::chrono_literals;

Coro<void> ha_fin_worker() {
    co_await try_finally([]() -> Coro<void> { co_await sleep(10s); },
                         []() -> Coro<void> {
                             trace("finally.enter");
                             co_await sleep(5s);
                             trace("not.reached");
                         });
}

Coro<std::int64_t> ha_except_worker(std::int64_t n) {
    co_return co_await try_except<ValueError>(
        [&]() -> Coro<std::int64_t> {
            co_await sleep(1s);
            throw with_int_arg<ValueError>(n);
        },
        [&](std::exception_ptr e) -> Coro<std::int64_t> {
            trace("except.enter", {{"exc", e}});
            co_await sleep(1s);
            co_return n * 10;
        });
}

Coro<void> ha_star_worker(std::string mode) {
    co_await try_except_star(
        []() -> Coro<void> {
            co_await sleep(1s);
            throw ExceptionGroup("eg", {std::make_exception_ptr(with_int_arg<ValueError>(1)),
                                        std::make_exception_ptr(with_int_arg<TypeError>(2)),
                                        std::make_exception_ptr(with_int_arg<KeyError>(3))});
        },
        on_async<ValueError>([](std::exception_ptr g) -> Coro<void> {
            trace("star.value", {{"g", g}});
            co_await sleep(1s);
            trace("star.value.done");
        }),
        on_async<TypeError>([&](std::exception_ptr g) -> Coro<void> {
            trace("star.type", {{"g", g}});
            co_await sleep(5s);
            if (mode == "raise") throw RuntimeError("clause");
            trace("star.type.done");
        }));
}

Coro<void> handlers_await() {
    Task<void> t = create_task(ha_fin_worker());
    co_await sleep(1s);
    trace("cancel", {{"ret", t.cancel("c1")}});
    co_await sleep(1s);
    trace("cancel", {{"ret", t.cancel("c2")}});
    try {
        co_await t;
    } catch (const CancelledError&) {
        trace("fin.caught", {{"exc", chain(std::current_exception())}});
    }
    trace("fin.after", {{"cancelled", t.cancelled()}, {"cancelling", t.cancelling()}});

    const std::int64_t v = co_await ha_except_worker(4);
    trace("except.result", {{"value", v}});

    for (const std::string mode : {"cancel", "raise"}) {
        Task<void> s = create_task(ha_star_worker(mode));
        co_await sleep(3s);
        if (mode == "cancel") trace("cancel", {{"ret", s.cancel("star")}});
        try {
            co_await s;
        } catch (...) {
            trace("star.caught", {{"mode", mode}, {"exc", chain(std::current_exception())}});
        }
        trace("star.after", {{"mode", mode}, {"cancelled", s.cancelled()}, {"cancelling", s.cancelling()}});
    }
}

// ---- cancel_message_values ----

Coro<void> cmv_sleeper(std::string tag, Nanos delay) {
    try {
        co_await sleep(delay);
    } catch (const CancelledError&) {
        trace("sleeper.cancelled", {{"tag", tag}, {"exc", std::current_exception()}});
        throw;
    }
}

Coro<void> cmv_watch(std::string tag, Task<void> t, bool again) {
    try {
        co_await t;
    } catch (const CancelledError&) {
        trace("awaiter.cancelled", {{"tag", tag}, {"exc", std::current_exception()}});
    }
    if (!again) co_return;
    try {
        co_await t;
    } catch (const CancelledError&) {
        trace("awaiter.again", {{"tag", tag}, {"exc", std::current_exception()}});
    }
}

Coro<void> cmv_in_group(std::string tag) {
    try {
        co_await async_with(TaskGroup(), [&](TaskGroup& tg) -> Coro<void> {
            (void)tg.create_task(cmv_sleeper(tag + ".child", seconds(5)));
            co_await sleep(seconds(5));
        });
    } catch (const CancelledError&) {
        trace("group.cancelled", {{"tag", tag}, {"exc", std::current_exception()}});
        throw;
    }
}

Coro<void> cmv_in_timeout(std::string tag) {
    try {
        co_await async_with(timeout(seconds(5)), [](Timeout&) -> Coro<void> { co_await sleep(seconds(10)); });
    } catch (const CancelledError&) {
        trace("timeout.cancelled", {{"tag", tag}, {"exc", std::current_exception()}});
        throw;
    }
}

Coro<void> cmv_in_wait_for(std::string tag) {
    try {
        co_await wait_for(cmv_sleeper(tag + ".inner", seconds(10)), seconds(5));
    } catch (const CancelledError&) {
        trace("wait_for.cancelled", {{"tag", tag}, {"exc", std::current_exception()}});
        throw;
    }
}

Coro<void> cancel_message_values() {
    const std::vector<CancelMessage> msgs{42, None, std::vector<std::int64_t>{1, 2},
                                          std::tuple<std::int64_t, std::string>{1, "a"}, 2.5, "text"};
    for (const CancelMessage& msg : msgs) {
        Task<void> t = create_task(cmv_sleeper(msg.repr(), seconds(1)));
        trace("cancel", {{"ret", t.cancel(msg)}});
        co_await cmv_watch("before_start", t, false);
        t = create_task(cmv_sleeper(msg.repr(), seconds(1)));
        co_await sleep(0);
        const bool ret = t.cancel(msg);
        trace("cancel", {{"ret", ret}, {"cancelling", t.cancelling()}});
        co_await cmv_watch("suspended", t, true);
    }

    const std::vector<std::pair<std::string, Coro<void> (*)(std::string)>> makers{
        {"in_group", &cmv_in_group}, {"in_timeout", &cmv_in_timeout}, {"in_wait_for", &cmv_in_wait_for}};
    for (const auto& [name, make] : makers) {
        Task<void> t = create_task(make(name));
        co_await sleep(millis(500));
        (void)t.cancel(7);
        co_await cmv_watch(name, t, false);
    }

    std::vector<Task<void>> kids;
    for (int i = 0; i < 3; ++i) kids.push_back(create_task(cmv_sleeper(std::to_string(i), seconds(1))));
    co_await sleep(0);
    (void)kids[0].cancel(None);
    (void)kids[1].cancel(std::tuple<std::int64_t, std::int64_t>{3, 4});
    (void)kids[2].cancel("m");
    const std::vector<Settled<void>> results = co_await gather_settled(kids);
    trace("gathered", {{"results", results}});
}

}  // namespace

void register_conf_cancel(Registry& reg) {
    reg.add({"finally_cancelled_once", "cancellation", "cancelled while finally awaits: CancelledError with the body's error as context",
             {},
             [](const Context&) { return finally_cancelled_once(); }});
    reg.add({"cancel_message_values", "cancel_in_finally",
             "cancel(msg) with a non-string msg (42, None, a list, a tuple): CancelledError(42) through tasks, groups, timeouts",
             {},
             [](const Context&) { return cancel_message_values(); }});
    reg.add({"cancel_return_values", "cancel_in_finally", "cancel() return values, cancelling()/uncancel() counts, first message wins",
             {},
             [](const Context&) { return cancel_return_values(); }});
    reg.add({"cancel_before_start", "cancel_in_finally", "cancelled before its first step: body never runs, last message wins",
             {},
             [](const Context&) { return cancel_before_start(); }});
    reg.add({"cancel_swallow", "cancel_in_finally", "CancelledError caught and swallowed; cancel forwarded to an awaited task",
             {},
             [](const Context&) { return cancel_swallow(); }});
    reg.add({"cancel_self", "cancel_in_finally", "a task cancelling itself: return value dropped, next await raises at once",
             {},
             [](const Context&) { return cancel_self(); }});
    reg.add({"cancel_by_hand", "cancel_in_finally", "CancelledError raised by hand: first retrieval same object, later fresh ones",
             {},
             [](const Context&) { return cancel_by_hand(); }});
    reg.add({"cancel_after_result", "cancel_in_finally", "cancelled after the awaited future completed: result discarded",
             {},
             [](const Context&) { return cancel_after_result(); }});
    reg.add({"finally_cancelled_twice", "cancel_in_finally", "cleanup cancelled twice: c3 <- c2 <- c1 context chain",
             {},
             [](const Context&) { return finally_cancelled_twice(); }});
    reg.add({"cleanup_raises", "cancel_in_finally", "finally raises while body's error propagates: replaces it as context",
             {},
             [](const Context&) { return cleanup_raises(); }});
    reg.add({"catch_then_await", "cancel_in_finally", "except block awaiting, cancelled there: chained to the caught error",
             {},
             [](const Context&) { return catch_then_await(); }});
    reg.add({"handlers_await", "cancel_in_finally",
             "awaiting in finally, except and except* clauses written as lambdas; cancelled there",
             {},
             [](const Context&) { return handlers_await(); }});
    reg.add({"async_with", "cancel_in_finally", "async with: aexit suppresses or not; slow aexit cancelled, chained",
             {},
             [](const Context&) { return async_with_twin(); }});
}

}  // namespace corosim::scenarios
