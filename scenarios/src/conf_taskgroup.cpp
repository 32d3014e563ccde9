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
    for (const char* name : {"a", "b", "c"}) (void)tg.create_task(tg_child(name));
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


Coro<void> sleep_for(Nanos d) { co_await sleep(d); }

// ---- taskgroup_cancel_parent ----

Coro<void> tcp_kid_on_cancel(std::exception_ptr e, int n) {
    trace("kid.cancelled", {{"n", n}, {"exc", e}});
    std::rethrow_exception(e);
}

Coro<void> tcp_kid(int n) { co_await try_except<CancelledError>(sleep_for(seconds(10)), &tcp_kid_on_cancel, n); }

Coro<void> tcp_body(TaskGroup& tg, bool body_waits) {
    (void)tg.create_task(tcp_kid(1));
    (void)tg.create_task(tcp_kid(2));
    if (body_waits) co_await sleep(seconds(10));
}

Coro<void> tcp_parent_on_cancel(std::exception_ptr e) {
    trace("parent.caught", {{"exc", e}, {"cancelling", current_task()->cancelling()}});
    std::rethrow_exception(e);
}

Coro<void> tcp_parent(bool body_waits) {
    co_await try_except<CancelledError>(async_with(TaskGroup(), &tcp_body, body_waits), &tcp_parent_on_cancel);
}

Coro<void> taskgroup_cancel_parent() {
    for (bool body_waits : {true, false}) {
        Task<void> p = create_task(tcp_parent(body_waits));
        co_await sleep(seconds(1));
        trace("cancel", {{"ret", p.cancel("outside")}});
        try {
            co_await p;
        } catch (const CancelledError&) {
            trace("main.caught", {{"exc", std::current_exception()}});
        }
        trace("after", {{"cancelled", p.cancelled()}, {"cancelling", p.cancelling()}});
    }
}

// ---- taskgroup_nested ----

Coro<void> tn_sib_on_cancel(std::exception_ptr e, std::string n) {
    trace("sib.cancelled", {{"n", n}});
    std::rethrow_exception(e);
}

Coro<void> tn_sib(std::string n) { co_await try_except<CancelledError>(sleep_for(seconds(10)), &tn_sib_on_cancel, n); }

Coro<void> tn_fail(Nanos d, std::exception_ptr exc) {
    co_await sleep(d);
    std::rethrow_exception(exc);
}

Coro<void> tn_raise(std::exception_ptr, std::exception_ptr exc) {
    std::rethrow_exception(exc);
    co_return;
}

Coro<void> tn_fail_on_cancel(std::exception_ptr exc) {
    co_await try_except<CancelledError>(sleep_for(seconds(10)), &tn_raise, exc);
}

Coro<void> tn_inner_body(TaskGroup& inner) {
    (void)inner.create_task(tn_sib("i1"));
    (void)inner.create_task(tn_fail(seconds(1), std::make_exception_ptr(ValueError("i2"))));
    co_return;
}

Coro<void> tn_inner_group() { co_await async_with(TaskGroup(), &tn_inner_body); }

Coro<void> tn_outer1(TaskGroup& outer) {
    (void)outer.create_task(tn_sib("o1"));
    (void)outer.create_task(tn_inner_group());
    co_await sleep(seconds(10));
}

Coro<void> tn_inner2(TaskGroup& inner) {
    (void)inner.create_task(tn_sib("i4"));
    (void)inner.create_task(tn_fail_on_cancel(std::make_exception_ptr(TypeError("i5"))));
    co_return;
}

Coro<void> tn_outer2(TaskGroup& outer) {
    (void)outer.create_task(tn_fail(seconds(1), std::make_exception_ptr(KeyError("o3"))));
    co_await async_with(TaskGroup(), &tn_inner2);
}

Coro<void> taskgroup_nested() {
    try {
        co_await async_with(TaskGroup(), &tn_outer1);
    } catch (const ExceptionGroup&) {
        trace("group1", {{"exc", std::current_exception()}});
    }
    try {
        co_await async_with(TaskGroup(), &tn_outer2);
    } catch (const ExceptionGroup&) {
        trace("group2", {{"exc", std::current_exception()}});
    }
}

// ---- taskgroup_create_late ----

// Named like the Python coroutine: the never-awaited warning shows the function name.
Coro<void> noop() {
    trace("noop.ran");
    co_return;
}

Coro<void> tcl_failer() {
    co_await sleep(seconds(1));
    throw ValueError("f");
}

void tcl_try_create(TaskGroup tg, const std::string& label) {
    try {
        (void)tg.create_task(noop());
    } catch (const RuntimeError&) {
        trace(label, {{"exc", std::current_exception()}});
    }
    trace(label + ".end");
}

Coro<void> tcl_body1(TaskGroup& tg) {
    (void)tg.create_task(noop());
    co_return;
}

Coro<void> tcl_on_cancel(std::exception_ptr e, TaskGroup tg2) {
    tcl_try_create(tg2, "shutting_down");
    std::rethrow_exception(e);
    co_return;
}

Coro<void> tcl_body2(TaskGroup& tg2) {
    (void)tg2.create_task(tcl_failer());
    co_await try_except<CancelledError>(sleep_for(seconds(5)), &tcl_on_cancel, tg2);
}

Coro<void> taskgroup_create_late() {
    tcl_try_create(TaskGroup(), "not_entered");
    TaskGroup tg;
    co_await async_with(tg, &tcl_body1);
    tcl_try_create(tg, "finished");
    try {
        co_await async_with(TaskGroup(), &tcl_body2);
    } catch (const ExceptionGroup&) {
        trace("group", {{"exc", std::current_exception()}});
    }
}

// ---- taskgroup_in_timeout ----

Coro<void> tit_kid_body(int n, Nanos d) {
    co_await sleep(d);
    trace("kid.done", {{"n", n}});
}

Coro<void> tit_kid_on_cancel(std::exception_ptr e, int n) {
    trace("kid.cancelled", {{"n", n}, {"exc", e}});
    std::rethrow_exception(e);
}

Coro<void> tit_kid(int n, Nanos d) {
    co_await try_except<CancelledError>(tit_kid_body(n, d), &tit_kid_on_cancel, n);
}

Coro<void> tit_group_body(TaskGroup& tg) {
    (void)tg.create_task(tit_kid(1, millis(500)));
    (void)tg.create_task(tit_kid(2, seconds(5)));
    (void)tg.create_task(tit_kid(3, seconds(5)));
    co_return;
}

Coro<void> tit_timeout_body(Timeout&) { co_await async_with(TaskGroup(), &tit_group_body); }

Coro<void> taskgroup_in_timeout() {
    Timeout cm = timeout(seconds(1));
    try {
        co_await async_with(cm, &tit_timeout_body);
    } catch (const TimeoutError&) {
        trace("timeout", {{"exc", chain(std::current_exception())},
                          {"expired", cm.expired()},
                          {"cancelling", current_task()->cancelling()}});
    }
}

// ---- taskgroup_base_error ----

COROSIM_DEFINE_EXCEPTION(Halt, BaseException);

Coro<void> tbe_child(std::exception_ptr exc) {
    co_await sleep(seconds(1));
    std::rethrow_exception(exc);
}

Coro<void> tbe_sibling_on_cancel(std::exception_ptr e) {
    trace("sibling.cancelled", {{"exc", e}});
    std::rethrow_exception(e);
}

Coro<void> tbe_sibling() { co_await try_except<CancelledError>(sleep_for(seconds(10)), &tbe_sibling_on_cancel); }

Coro<void> tbe_body(TaskGroup& tg, std::exception_ptr exc) {
    (void)tg.create_task(tbe_child(exc));
    (void)tg.create_task(tbe_sibling());
    co_return;
}

Coro<void> tbe_finally() {
    trace("main.finally");
    co_return;
}

Coro<void> taskgroup_base_error() {
    try {
        co_await async_with(TaskGroup(), &tbe_body, std::make_exception_ptr(Halt("h")));
    } catch (const ExceptionGroupBase&) {
        trace("group", {{"exc", std::current_exception()}});
    }
    co_await try_finally(async_with(TaskGroup(), &tbe_body, std::make_exception_ptr(with_int_arg<SystemExit>(3))), &tbe_finally);
}

// ---- taskgroup_cancel_order ----

Coro<void> tco_on_cancel(std::exception_ptr e, int n) {
    trace("kid.cancelled", {{"n", n}});
    std::rethrow_exception(e);
}

Coro<void> tco_kid_body(int n, Nanos d) {
    co_await sleep(d);
    trace("kid.done", {{"n", n}});
}

Coro<void> tco_kid(int n, Nanos d) { co_await try_except<CancelledError>(tco_kid_body(n, d), &tco_on_cancel, n); }

Coro<void> tco_bad() {
    co_await sleep(seconds(1));
    throw ValueError("bad");
}

Coro<void> tco_body(TaskGroup& tg) {
    (void)tg.create_task(tco_kid(1, millis(1500)));
    (void)tg.create_task(tco_kid(2, seconds(1)));
    (void)tg.create_task(tco_kid(3, seconds(10)));
    co_await sleep(seconds(2));
    (void)tg.create_task(tco_kid(4, seconds(10)));
    (void)tg.create_task(tco_kid(5, seconds(10)));
    (void)tg.create_task(tco_bad());
    (void)tg.create_task(tco_kid(6, seconds(10)));
}

Coro<void> taskgroup_cancel_order() {
    try {
        co_await async_with(TaskGroup(), &tco_body);
    } catch (const ExceptionGroupBase&) {
        trace("caught", {{"exc", std::current_exception()}});
    }
}

// ---- taskgroup_refused_coro ----

Coro<std::string> trc_job(std::string tag) {
    trace("job", {{"tag", tag}});
    co_return tag;
}

Coro<void> trc_failer() {
    co_await sleep(seconds(1));
    throw ValueError("f");
}

// The coroutine stays in the caller's variable when create_task refuses it (the Coro& overload).
Coro<void> taskgroup_refused_coro() {
    Coro<std::string> coro = trc_job("not_entered").qualname("job");
    try {
        (void)TaskGroup().create_task(coro);
    } catch (const RuntimeError&) {
        trace("refused", {{"exc", std::current_exception()}});
    }
    try {
        const std::string value = co_await coro;
        trace("awaited", {{"value", value}});
    } catch (const RuntimeError&) {
        trace("await.failed", {{"exc", std::current_exception()}});
    }

    TaskGroup tg;
    co_await async_with(tg, [](TaskGroup&) -> Coro<void> { co_return; });
    coro = trc_job("finished").qualname("job");
    try {
        (void)tg.create_task(coro);
    } catch (const RuntimeError&) {
        trace("refused", {{"exc", std::current_exception()}});
    }
    coro.close();
    trace("closed");

    try {
        co_await async_with(TaskGroup(), [](TaskGroup& tg2) -> Coro<void> {
            (void)tg2.create_task(trc_failer());
            try {
                co_await sleep(seconds(5));
            } catch (const CancelledError&) {
                Coro<std::string> refused = trc_job("shutting_down").qualname("job");
                try {
                    (void)tg2.create_task(refused);
                } catch (const RuntimeError&) {
                    trace("refused", {{"exc", std::current_exception()}});
                }
                trace("dropping");
                refused = Coro<std::string>();  // del coro
                trace("dropped");
                throw;
            }
        });
    } catch (const ExceptionGroup&) {
        trace("group", {{"exc", std::current_exception()}});
    }
}

// ---- taskgroup_versions ----

COROSIM_DEFINE_EXCEPTION(MyCancelled, CancelledError);  // class MyCancelled(asyncio.CancelledError)

Coro<void> tv_fail_after(Nanos d, std::string tag) {
    co_await sleep(d);
    throw ValueError(tag);
}

Coro<void> tv_raise_value(std::exception_ptr, std::string tag) {
    throw ValueError(tag);
    co_return;
}

Coro<void> tv_fail_on_cancel(std::string tag) {
    co_await try_except<CancelledError>(sleep_for(seconds(10)), &tv_raise_value, tag);
}

Coro<void> tv_late_body(TaskGroup& tg) {
    (void)tg.create_task(tv_fail_after(seconds(1), "late"));
    trace("late.body_done");
    co_return;
}

Coro<void> tv_late_failure() {
    TaskBase* me = current_task();
    std::exception_ptr eg;
    try {
        co_await async_with(TaskGroup(), &tv_late_body);
    } catch (...) {
        eg = std::current_exception();
    }
    except_star(eg, {on<ValueError>([me](const std::exception_ptr& g) {
                    trace("late.caught", {{"exc", g}, {"cancelling", me->cancelling()}});
                })});
    trace("late.after", {{"cancelling", me->cancelling()}});
    co_await sleep(0);
    trace("late.slept");
}

Coro<void> tv_outside_body(TaskGroup& tg) {
    (void)tg.create_task(tv_fail_on_cancel("child"));
    co_await sleep(seconds(10));
}

Coro<void> tv_outside_sleep() {
    co_await sleep(0);
    trace("outside.slept", {{"cancelling", current_task()->cancelling()}});
}

Coro<void> tv_outside_cancelled(std::exception_ptr e) {
    trace("outside.cancelled", {{"exc", e}, {"cancelling", current_task()->cancelling()}});
    std::rethrow_exception(e);
}

Coro<void> tv_outside_and_failure() {
    TaskBase* me = current_task();
    std::exception_ptr eg;
    try {
        co_await async_with(TaskGroup(), &tv_outside_body);
    } catch (...) {
        eg = std::current_exception();
    }
    except_star(eg, {on<ValueError>([me](const std::exception_ptr& g) {
                    trace("outside.caught", {{"exc", g}, {"cancelling", me->cancelling()}});
                })});
    co_await try_except<CancelledError>(tv_outside_sleep(), &tv_outside_cancelled);
}

Coro<void> tv_subclass_body(TaskGroup& tg) {
    (void)tg.create_task(sleep_for(seconds(10)));
    co_await sleep(0);
    throw MyCancelled("mine");
}

Coro<void> tv_cancel_subclass() {
    TaskBase* me = current_task();
    try {
        co_await async_with(TaskGroup(), &tv_subclass_body);
    } catch (const BaseException&) {
        trace("subclass.caught", {{"exc", std::current_exception()}, {"cancelling", me->cancelling()}});
    }
}

Coro<void> taskgroup_versions() {
    co_await tv_late_failure();
    Task<void> t = create_task(tv_outside_and_failure());
    co_await sleep(seconds(1));
    trace("cancel", {{"ret", t.cancel("outside")}});
    try {
        co_await t;
        trace("outside.result");
    } catch (const CancelledError&) {
        trace("outside.main_caught", {{"exc", std::current_exception()}});
    }
    trace("outside.after", {{"cancelled", t.cancelled()}, {"cancelling", t.cancelling()}});
    co_await tv_cancel_subclass();
}

}  // namespace

void register_conf_taskgroup(Registry& reg) {
    reg.add({"taskgroup_errors", "taskgroup_errors", "two failing children: ExceptionGroup in completion order, except* split",
             {},
             [](const Context&) { return taskgroup_errors(); }});
    reg.add({"taskgroup_cancel_parent", "taskgroup_errors", "the task running a TaskGroup is cancelled from outside: children cancelled, same CancelledError re-raised",
             {},
             [](const Context&) { return taskgroup_cancel_parent(); }});
    reg.add({"taskgroup_nested", "taskgroup_errors", "nested TaskGroups: inner groups' ExceptionGroups nest inside the outer one, never flattened",
             {},
             [](const Context&) { return taskgroup_nested(); }});
    reg.add({"taskgroup_create_late", "taskgroup_errors", "TaskGroup.create_task refused when not entered, finished or shutting down",
             {},
             [](const Context&) { return taskgroup_create_late(); }});
    reg.add({"taskgroup_refused_coro", "taskgroup_errors",
             "the coroutine a refused TaskGroup.create_task leaves with its caller: awaited, closed, dropped", {},
             [](const Context&) { return taskgroup_refused_coro(); }});
    reg.add({"taskgroup_in_timeout", "taskgroup_errors", "TaskGroup inside timeout(): deadline hits __aexit__, children aborted, TimeoutError from CancelledError",
             {},
             [](const Context&) { return taskgroup_in_timeout(); }});
    reg.add({"taskgroup_versions", "taskgroup_errors",
             "TaskGroup exits where 3.13 differs: a late failure's uncancel, an outside cancel kept, a CancelledError subclass",
             {},
             [](const Context&) { return taskgroup_versions(); }});
    reg.add({"taskgroup_cancel_order", "taskgroup_errors",
             "a group cancels its children in creation order after others finished and more were added",
             {},
             [](const ScenarioArgs&) { return taskgroup_cancel_order(); }});
    Scenario base_error{"taskgroup_base_error", "taskgroup_errors",
                        "children raising BaseExceptions: BaseExceptionGroup for Halt, SystemExit escapes the loop",
                        {},
                        [](const Context&) { return taskgroup_base_error(); }};
    base_error.expect = Outcome::kError;  // SystemExit leaves asyncio.run, as in CPython
    reg.add(std::move(base_error));
}

}  // namespace corosim::scenarios
