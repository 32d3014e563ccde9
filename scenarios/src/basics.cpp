// basics.cpp: the `basics` family, the walking skeleton's three scenarios. Each is the twin of
// tests/conformance/programs/<name>.py and must print the same FIFO trace.
#include <memory>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

// ---- ping_pong: two tasks hand a counter back and forth through futures ----

struct Box {
    Future<std::int64_t> ping;
    Future<std::int64_t> pong;
    Future<std::int64_t>& operator[](const std::string& who) { return who == "ping" ? ping : pong; }
};

Coro<void> player(std::string me, std::string other, std::int64_t rounds, bool serve, std::shared_ptr<Box> box) {
    if (serve) (*box)[other].set_result(0);
    for (std::int64_t i = 0; i < rounds; ++i) {
        Future<std::int64_t> mine = (*box)[me];
        const std::int64_t v = co_await mine;
        (*box)[me] = Future<std::int64_t>();
        trace("recv", {{"who", me}, {"value", v}});
        (*box)[other].set_result(v + 1);
    }
}

Coro<void> ping_pong(std::int64_t rounds) {
    auto box = std::make_shared<Box>();
    Task<void> a = create_task(player("ping", "pong", rounds, true, box));
    Task<void> b = create_task(player("pong", "ping", rounds, false, box));
    co_await a;
    co_await b;
    const std::int64_t last = box->pong.result();
    trace("done", {{"last", last}});
    check(last == 2 * rounds, "the counter made 2*rounds hops");
}

// ---- sleep_sort: equal delays wake in CPython's heapq order, not FIFO ----

Coro<void> sleeper(std::int64_t i, std::int64_t v, std::shared_ptr<std::vector<std::int64_t>> out) {
    co_await sleep(seconds(v));
    trace("wake", {{"i", i}, {"v", v}});
    out->push_back(v);
}

Coro<void> sleep_sort(std::int64_t n, std::int64_t k) {
    std::vector<std::int64_t> values;
    for (std::int64_t i = 0; i < n; ++i) values.push_back((i * 7 + 3) % k + 1);
    trace("start", {{"values", values}});
    auto out = std::make_shared<std::vector<std::int64_t>>();
    std::vector<Task<void>> tasks;
    for (std::int64_t i = 0; i < n; ++i) tasks.push_back(create_task(sleeper(i, values[i], out)));
    for (auto& t : tasks) co_await t;
    trace("sorted", {{"order", *out}});
    bool sorted = true;
    for (std::size_t i = 1; i < out->size(); ++i) sorted = sorted && (*out)[i - 1] <= (*out)[i];
    check(sorted, "wake order is non-decreasing");
}

// ---- racy_counter: read, yield, write back: lost updates depend on the schedule ----

struct Counter {
    std::int64_t value = 0;
};

Coro<void> worker(std::int64_t w, std::int64_t rounds, std::shared_ptr<Counter> state) {
    for (std::int64_t i = 0; i < rounds; ++i) {
        const std::int64_t v = state->value;
        // Worker w yields w+1 times between its read and its write, so workers fall out of
        // step and a reordering within one iteration can lose a different update.
        for (std::int64_t j = 0; j <= w; ++j) co_await sleep(0);
        state->value = v + 1;
        trace("write", {{"w", w}, {"value", v + 1}});
        co_await sleep(0);  // the next read happens in a later step than this write
    }
}

Coro<void> racy_counter(std::int64_t workers, std::int64_t rounds) {
    auto state = std::make_shared<Counter>();
    std::vector<Task<void>> tasks;
    for (std::int64_t w = 0; w < workers; ++w) tasks.push_back(create_task(worker(w, rounds, state)));
    for (auto& t : tasks) co_await t;
    trace("final", {{"value", state->value}});
    check(rounds <= state->value && state->value <= workers * rounds, "final count within bounds");
}

// ---- tiny_pair: the smallest interesting run, for measuring the fuzzer itself ----

Coro<void> tiny_worker(std::shared_ptr<Counter> state) {
    for (int i = 0; i < 2; ++i) {
        const std::int64_t v = state->value;
        co_await sleep(0);
        state->value = v + 1;
    }
}

Coro<void> tiny_pair() {
    auto state = std::make_shared<Counter>();
    Task<void> a = create_task(tiny_worker(state));
    Task<void> b = create_task(tiny_worker(state));
    co_await a;
    co_await b;
    check(state->value >= 2 && state->value <= 4, "between 2 and 4 increments survive");
}

// ---- tiny_group: the fuzzer's speed on a run with a TaskGroup and a timer (issue 15) ----

Coro<void> tiny_child(std::int64_t sleep_ms) {
    for (int i = 0; i < 3; ++i) co_await sleep(0);
    if (sleep_ms > 0) co_await sleep(millis(sleep_ms));
}

Coro<void> tiny_group_body(TaskGroup& tg, std::int64_t sleep_ms) {
    (void)tg.create_task(tiny_child(sleep_ms));
    (void)tg.create_task(tiny_child(0));
    (void)tg.create_task(tiny_child(0));
    co_return;
}

Coro<void> tiny_group(std::int64_t sleep_ms) {
    Coro<void> c = async_with(TaskGroup(), &tiny_group_body, sleep_ms);
    co_await std::move(c);
}

}  // namespace

void register_basics(Registry& reg) {
    reg.add({"ping_pong", "basics", "two tasks hand a counter back and forth through futures",
             {{"rounds", 1, 1000, 3, "values each player receives"}},
             [](const Context& c) { return ping_pong(c.get("rounds")); }});
    reg.add({"sleep_sort", "basics", "tasks sleep their value; equal delays wake in CPython's heap order",
             {{"n", 1, 64, 8, "number of sleepers"}, {"k", 1, 10, 3, "distinct delays (seconds)"}},
             [](const Context& c) { return sleep_sort(c.get("n"), c.get("k")); }});
    reg.add({"racy_counter", "basics", "workers read, yield and write back a counter; lost updates depend on the schedule",
             {{"workers", 1, 8, 3, "concurrent workers"}, {"rounds", 1, 8, 2, "increments per worker"}},
             [](const Context& c) { return racy_counter(c.get("workers"), c.get("rounds")); }});
    reg.add({"tiny_pair", "basics", "two tasks, four awaits: the fuzzer's own throughput benchmark", {},
             [](const Context&) { return tiny_pair(); }});
    reg.add({"tiny_group", "basics",
             "a TaskGroup of three tasks, three sleep(0) each, one of them then sleeping 1-3 ms: the fuzzer's speed",
             {{"sleep_ms", 1, 3, 1, "the one timer's delay"}},
             [](const Context& c) { return tiny_group(c.get("sleep_ms")); }});
}

}  // namespace corosim::scenarios
