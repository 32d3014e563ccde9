// timeouts.cpp: the `timeouts` and `shield_and_wait_for` fuzz families: a deadline racing the
// work and an outside cancel; a shielded or wait_for-wrapped inner task. The invariants are the
// uncancel bookkeeping of SEMANTICS C9-C10 and C6-C7, for every schedule.
#include <memory>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

struct RaceLog {
    bool work_done = false;
    bool swallowed = false;
    std::optional<Timeout> tm;
};

Coro<void> tr_work(Timeout& tm, std::int64_t work_ms, bool swallow, std::shared_ptr<RaceLog> log) {
    log->tm = tm;
    std::exception_ptr cancelled;
    try {
        co_await sleep(millis(work_ms));
        log->work_done = true;
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    if (cancelled && !swallow) std::rethrow_exception(cancelled);
    if (cancelled) log->swallowed = true;
}

Coro<void> tr_guarded(Context c, std::shared_ptr<RaceLog> log) {
    co_await async_with(timeout(millis(c.get("deadline_ms"))), &tr_work, c.get("work_ms"), c.get("swallow") != 0, log);
}

Coro<void> tr_cancel_later(Task<void> victim, std::int64_t at_ms) {
    co_await sleep(millis(at_ms));
    victim.cancel("outside");
}

Coro<void> timeout_race(Context c) {
    auto log = std::make_shared<RaceLog>();
    Task<void> guarded = create_task(tr_guarded(c, log));
    Task<void> canceller;
    if (c.get("outside_cancel_ms") >= 0) canceller = create_task(tr_cancel_later(guarded, c.get("outside_cancel_ms")));
    std::exception_ptr outcome;
    try {
        co_await guarded;
    } catch (...) {
        outcome = std::current_exception();
    }
    if (canceller) co_await canceller;
    trace("outcome", {{"exc", outcome}, {"work_done", log->work_done}, {"cancelling", guarded.cancelling()}});
    bool timed_out = false;
    try {
        if (outcome) std::rethrow_exception(outcome);
    } catch (const TimeoutError&) {
        timed_out = true;
    } catch (...) {
    }
    check(!timed_out || (log->tm && log->tm->expired()), "TimeoutError only from an expired timeout");
    check(!timed_out || guarded.cancelling() == 0, "a converted timeout leaves no cancel request behind");
    check(!log->work_done || !timed_out, "work that finished is never reported as timed out");
    check(!guarded.cancelled() || guarded.cancelling() >= 1 || log->swallowed,
          "a task that ends cancelled still counts the request that cancelled it");
}

Coro<int> sw_inner(std::int64_t ms, std::shared_ptr<int> finished) {
    co_await sleep(millis(ms));
    ++*finished;
    co_return 7;
}

Coro<void> sw_outer_shield(Task<int> inner) {
    Future<int> shielded = shield(inner);
    const int v = co_await shielded;
    trace("shield.value", {{"v", v}});
}

Coro<void> shield_wait_for(Context c) {
    auto finished = std::make_shared<int>(0);
    Task<int> inner = create_task(sw_inner(c.get("inner_ms"), finished));
    Task<void> outer = create_task(sw_outer_shield(inner));
    co_await sleep(millis(c.get("cancel_ms")));
    outer.cancel("stop");
    std::exception_ptr outer_exc;
    try {
        co_await outer;
    } catch (...) {
        outer_exc = std::current_exception();
    }
    const int v = co_await inner;
    check(v == 7 && *finished == 1, "a shielded task runs to completion whatever happens to its awaiter");

    Task<int> second = create_task(sw_inner(c.get("inner_ms"), finished));
    std::exception_ptr wf_exc;
    try {
        Coro<int> w = wait_for(second, millis(c.get("wait_ms")));
        (void)co_await std::move(w);
    } catch (...) {
        wf_exc = std::current_exception();
    }
    trace("wait_for", {{"exc", wf_exc}, {"inner_cancelled", second.cancelled()}});
    check(!wf_exc || second.cancelled(), "wait_for's timeout cancels the inner task");
    check(wf_exc || (second.done() && !second.cancelled()), "wait_for in time returns the inner result");
    check(current_task()->cancelling() == 0, "wait_for leaves no cancel request behind");
}

}  // namespace

void register_timeouts(Registry& reg) {
    reg.add({"timeout_race", "timeouts", "a timeout races the work and an outside cancel (uncancel bookkeeping)",
             {{"deadline_ms", 0, 3000, 1000, "timeout delay"},
              {"work_ms", 0, 3000, 1500, "how long the body sleeps"},
              {"outside_cancel_ms", -1, 3000, -1, "when another task cancels (-1: never)"},
              {"swallow", 0, 1, 0, "the body swallows CancelledError"}},
             [](const Context& c) { return timeout_race(c); }});
    reg.add({"shield_wait_for", "shield_and_wait_for", "shield keeps the inner task running; wait_for cancels it on timeout",
             {{"inner_ms", 0, 3000, 1000, "how long the inner task sleeps"},
              {"cancel_ms", 0, 3000, 500, "when the shielded awaiter is cancelled"},
              {"wait_ms", 0, 3000, 500, "wait_for's timeout"}},
             [](const Context& c) { return shield_wait_for(c); }});
}

}  // namespace corosim::scenarios
