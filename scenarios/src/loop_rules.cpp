// loop_rules.cpp: the `loop_rules` family: plain callbacks and timers, the rules of one
// _run_once iteration (SEMANTICS G1-G3). Twins of tests/conformance/programs/{timer_ties,loop_order}.py.
#include <string>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

// ---- timer_ties: n equal timers fire in heapq order, with main's own timer in the heap ----

Coro<void> timer_ties(std::int64_t n) {
    Loop& loop = running_loop();
    for (std::int64_t i = 0; i < n; ++i) loop.call_later(seconds(1), [i] { trace("fire", {{"i", i}}); });
    co_await sleep(seconds(2));
    trace("done");
}

// ---- loop_order: call_soon FIFO, batching, call_later(0) through the heap, cancelled timers ----

void cb(Loop& loop, std::string name, std::string then = {}) {
    trace("cb", {{"name", name}});
    if (!then.empty()) loop.call_soon([&loop, then] { cb(loop, then); });
}

Coro<void> child() {
    trace("cb", {{"name", "task"}});
    co_return;
}

Coro<void> loop_order() {
    Loop& loop = running_loop();
    loop.call_later(0, [&loop] { cb(loop, "later0"); });
    loop.call_soon([&loop] { cb(loop, "a", "a2"); });
    loop.call_soon([&loop] { cb(loop, "b"); });
    Handle h = loop.call_later(0, [&loop] { cb(loop, "cancelled"); });
    h.cancel();
    loop.call_soon([&loop] { cb(loop, "c"); });
    Task<void> t = create_task(child());
    trace("cb", {{"name", "main.yield"}});
    co_await sleep(0);
    trace("cb", {{"name", "main.resumed"}});
    co_await t;
    trace("cb", {{"name", "main.joined"}});
    loop.call_later(seconds(1), [&loop] { cb(loop, "one"); });
    Handle h2 = loop.call_later(millis(750), [&loop] { cb(loop, "cancelled2"); });
    loop.call_at(loop.time() + millis(500), [&loop] { cb(loop, "half", "after.half"); });
    co_await sleep(millis(250));
    h2.cancel();
    trace("cb", {{"name", "main.cancelled2"}});
    co_await sleep(seconds(1));
    trace("cb", {{"name", "main.done"}});
}

}  // namespace

void register_loop_rules(Registry& reg) {
    reg.add({"timer_ties", "loop_rules", "equal timers fire in CPython's heapq order, not FIFO",
             {{"n", 1, 64, 8, "callbacks scheduled for the same instant"}},
             [](const Context& c) { return timer_ties(c.get("n")); }});
    reg.add({"loop_order", "loop_rules", "call_soon FIFO, iteration batching, call_later(0) and cancelled timers",
             {},
             [](const Context&) { return loop_order(); }});
}

}  // namespace corosim::scenarios
