// search_targets.cpp: planted bugs that each need one of the search's tools (issue 10), so the
// tests can show the tool matters: two orderings at once (PCT's depth 2), a timer that fires late
// (jitter), a fault point (buggify). Each is correct under FIFO and under plain random schedules
// where the tool is not used.
#include <memory>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

// ---- depth 2: one task must step first in round one and the other in round two ----

Coro<void> two_rounds(std::shared_ptr<std::string> log, char id) {
    *log += id;
    co_await corosim::sleep(0);
    *log += id;
}

Coro<void> two_orderings(Context) {
    auto log = std::make_shared<std::string>();
    Task<void> a = create_task(two_rounds(log, 'A'));
    Task<void> b = create_task(two_rounds(log, 'B'));
    co_await a;
    co_await b;
    trace("order", {{"log", *log}});
    // The bug needs two orderings: one task first in round one, the other first in round two.
    check((*log)[0] == (*log)[2], "the two rounds run in the same order");
}

// ---- a timer that fires late: a heartbeat monitor with no slack for scheduling delay ----

struct Heartbeat {
    Nanos last = 0;
};

Coro<void> beater(std::shared_ptr<Heartbeat> hb, std::int64_t beats) {
    for (std::int64_t i = 0; i < beats; ++i) {
        co_await corosim::sleep(millis(10));
        hb->last = running_loop().time();
    }
}

Coro<void> monitor(std::shared_ptr<Heartbeat> hb, std::int64_t beats, std::int64_t offset_us) {
    co_await corosim::sleep(offset_us * 1000);
    for (std::int64_t i = 0; i < beats; ++i) {
        co_await corosim::sleep(millis(10));
        // The bug: the monitor expects the beat of the same period to have landed already,
        // with only `offset_us` of slack; a beat delayed by the scheduler looks like a death.
        check(running_loop().time() - hb->last < millis(10), "the peer is not declared dead while it beats");
    }
}

Coro<void> late_heartbeat(Context c) {
    auto hb = std::make_shared<Heartbeat>();
    Task<void> b = create_task(beater(hb, c.get("beats")));
    Task<void> m = create_task(monitor(hb, c.get("beats"), c.get("offset_us")));
    co_await b;
    co_await m;
}

// ---- a fault point: a lost reply makes a non-idempotent request retry twice ----

struct Ledger {
    std::int64_t applied = 0;
};

Coro<void> serve(std::shared_ptr<Ledger> ledger) {
    co_await corosim::sleep(millis(2));
    ++ledger->applied;
    if (buggify("drop_reply", 20)) co_await corosim::sleep(seconds(60));  // the reply is lost
}

Coro<void> lost_reply(Context c) {
    auto ledger = std::make_shared<Ledger>();
    for (std::int64_t attempt = 0; attempt <= c.get("retries"); ++attempt) {
        std::exception_ptr timed_out;
        try {
            co_await wait_for(create_task(serve(ledger)), millis(5));
        } catch (const TimeoutError&) {
            timed_out = std::current_exception();
        }
        if (!timed_out) break;
        trace("retry", {{"attempt", attempt + 1}});
    }
    // The bug: the request is not idempotent, and a retry applies it again.
    check(ledger->applied <= 1, "the transfer is applied at most once");
}

// ---- correct: sleepers whose timers fall due together (they commute; explore's reduction) ----

Coro<void> sleeper(std::shared_ptr<std::int64_t> done) {
    co_await corosim::sleep(millis(1));
    co_await corosim::sleep(millis(1));
    ++*done;
}

Coro<void> parallel_sleepers(Context c) {
    auto done = std::make_shared<std::int64_t>(0);
    std::vector<Task<void>> tasks;
    for (std::int64_t i = 0; i < c.get("tasks"); ++i) tasks.push_back(create_task(sleeper(done)));
    for (auto& t : tasks) co_await t;
    check(*done == c.get("tasks"), "every sleeper finishes");
}

}  // namespace

void register_search_targets(Registry& reg) {
    Scenario a{"planted_two_orderings", "planted_bugs",
               "PLANTED BUG (depth 2): fails only when the order of two tasks flips between rounds; pct:2 finds it, pct:1 cannot",
               {},
               [](const Context& c) { return two_orderings(c); }};
    Scenario b{"planted_late_heartbeat", "planted_bugs",
               "PLANTED BUG (timer jitter): a heartbeat monitor with microseconds of slack declares a live peer dead when a beat fires late",
               {{"beats", 1, 5, 3, "heartbeats"}, {"offset_us", 1, 900, 200, "how long after a beat the monitor looks"}},
               [](const Context& c) { return late_heartbeat(c); }};
    Scenario d{"planted_lost_reply", "planted_bugs",
               "PLANTED BUG (buggify): a lost reply makes a non-idempotent request apply twice",
               {{"retries", 0, 3, 1, "retries after a timeout"}},
               [](const Context& c) { return lost_reply(c); }};
    for (Scenario* s : {&a, &b, &d}) {
        s->planted = true;
        reg.add(std::move(*s));
    }
    reg.add({"parallel_sleepers", "basics", "sleepers whose timers fall due together: correct in every order",
             {{"tasks", 1, 6, 3, "sleeping tasks"}},
             [](const Context& c) { return parallel_sleepers(c); }});
}

}  // namespace corosim::scenarios
