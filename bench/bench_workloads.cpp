// W1-W7: the loop's hot paths (W5: cancellation through try_finally; W6: async generators; W7: one
// TaskGroup of 10k-1M children), the same workloads as bench/asyncio_baseline.py runs on CPython.
// Items per second are reported as the `items_per_s` counter; bench/compare.py divides them by
// CPython's. COROSIM_BENCH_SCALE (default 1) scales the counts for smoke runs.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <numeric>
#include <vector>

#include "bench_scale.hpp"
#include "corosim/corosim.hpp"

namespace corosim {
namespace {

LoopOptions quiet() {
    LoopOptions o;
    o.trace_level = TraceLevel::kOff;
    o.max_steps = UINT64_MAX;
    return o;
}

void finish(benchmark::State& state, std::int64_t items, const RunResult& r) {
    if (r.outcome != Outcome::kPass) state.SkipWithError(r.message.c_str());
    state.counters["items_per_s"] =
        benchmark::Counter(static_cast<double>(items), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["items"] = static_cast<double>(items);
}

// ---- W1: n future handoffs between two tasks ----

struct PingPong {
    Future<void> futs[2];
    std::int64_t received[2] = {0, 0};
};

Coro<void> player(int me, bool hit, std::int64_t n, std::shared_ptr<PingPong> s) {
    const int other = 1 - me;
    for (std::int64_t i = 0; i < n; ++i) {
        if (hit) {
            s->futs[other].set_result();
        } else {
            co_await s->futs[me];
            s->futs[me] = Future<void>();
            ++s->received[me];
        }
        hit = !hit;
    }
}

Coro<void> pingpong(std::int64_t n) {
    auto s = std::make_shared<PingPong>();
    Task<void> a = create_task(player(0, true, n, s));
    Task<void> b = create_task(player(1, false, n, s));
    co_await a;
    co_await b;
    check(s->received[0] + s->received[1] == n, "every handoff received");
}

void pingpong_at(benchmark::State& state, TraceLevel level) {
    const std::int64_t n = scaled(1'000'000);
    LoopOptions o = quiet();
    o.trace_level = level;
    RunResult r;
    for (auto _ : state) r = run([n] { return pingpong(n); }, o);
    finish(state, n, r);
}

// ---- W2: 1,000 tasks x k sleep(0) ----

Coro<void> yielder(std::int64_t k, std::shared_ptr<std::int64_t> done) {
    for (std::int64_t i = 0; i < k; ++i) co_await sleep(0);
    ++*done;
}

Coro<void> storm(std::int64_t tasks, std::int64_t k) {
    auto done = std::make_shared<std::int64_t>(0);
    std::vector<Task<void>> ts;
    ts.reserve(static_cast<std::size_t>(tasks));
    for (std::int64_t i = 0; i < tasks; ++i) ts.push_back(create_task(yielder(k, done)));
    for (auto& t : ts) co_await t;
    check(*done == tasks, "every worker finished");
}

void storm_at(benchmark::State& state, TraceLevel level) {
    const std::int64_t tasks = 1'000;
    const std::int64_t k = scaled(1'000);
    LoopOptions o = quiet();
    o.trace_level = level;
    RunResult r;
    for (auto _ : state) r = run([=] { return storm(tasks, k); }, o);
    finish(state, tasks * k, r);
}

void W1_pingpong(benchmark::State& state) { pingpong_at(state, TraceLevel::kOff); }
void W2_yield_storm(benchmark::State& state) { storm_at(state, TraceLevel::kOff); }
// W1 and W2 at the full trace level: what a failing run's re-run costs (issue 15 item 5).
void W1_pingpong_full(benchmark::State& state) { pingpong_at(state, TraceLevel::kFull); }
void W2_yield_storm_full(benchmark::State& state) { storm_at(state, TraceLevel::kFull); }

// ---- W3: n trivial tasks created and awaited in batches of 1,000 ----

Coro<int> nop() { co_return 1; }

Coro<void> spawn_join(std::int64_t n) {
    std::int64_t total = 0;
    std::vector<Task<int>> ts;
    ts.reserve(1000);
    for (std::int64_t start = 0; start < n; start += 1000) {
        ts.clear();
        for (std::int64_t i = start; i < std::min(n, start + 1000); ++i) ts.push_back(create_task(nop()));
        for (auto& t : ts) total += co_await t;
    }
    check(total == n, "every task joined");
}

void W3_spawn_join(benchmark::State& state) {
    const std::int64_t n = scaled(1'000'000);
    RunResult r;
    for (auto _ : state) r = run([n] { return spawn_join(n); }, quiet());
    finish(state, n, r);
}

// ---- W4: n tasks sleeping distinct seeded durations ----

Coro<void> sleep_for(Nanos d) { co_await sleep(d); }

Coro<void> timers(std::shared_ptr<std::vector<Nanos>> durations) {
    std::vector<Task<void>> ts;
    ts.reserve(durations->size());
    for (const Nanos d : *durations) ts.push_back(create_task(sleep_for(d)));
    for (auto& t : ts) co_await t;
}

std::vector<Nanos> distinct_durations(std::int64_t n) {
    // n distinct whole milliseconds in [1, 10,000,000], drawn with our seeded Rng
    // (a partial Fisher-Yates over the range, as random.sample does in spirit).
    constexpr std::int64_t kMaxMs = 10'000'000;
    std::vector<std::int64_t> pool(kMaxMs);
    std::iota(pool.begin(), pool.end(), 1);
    Rng rng(42);
    std::vector<Nanos> out;
    for (std::int64_t i = 0; i < n; ++i) {
        const auto j = i + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(kMaxMs - i)));
        std::swap(pool[static_cast<std::size_t>(i)], pool[static_cast<std::size_t>(j)]);
        out.push_back(millis(pool[static_cast<std::size_t>(i)]));
    }
    return out;
}

void W4_timers(benchmark::State& state) {
    const std::int64_t n = scaled(100'000);
    auto durations = std::make_shared<std::vector<Nanos>>(distinct_durations(n));
    const Nanos longest = *std::max_element(durations->begin(), durations->end());
    RunResult r;
    for (auto _ : state) r = run([durations] { return timers(durations); }, quiet());
    if (r.vtime < longest) state.SkipWithError("timers did not run to their end");
    finish(state, n, r);
}

// ---- W5: n tasks cancelled while awaiting inside try_finally whose cleanup awaits once more ----

Coro<void> long_sleep() { co_await sleep(seconds(3600)); }

Coro<void> cleanup_yield() { co_await sleep(0); }

Coro<void> cancel_storm(std::int64_t n) {
    std::vector<Task<void>> ts;
    ts.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) ts.push_back(create_task(try_finally(long_sleep(), &cleanup_yield)));
    co_await sleep(0);  // every worker starts and suspends in its body
    for (auto& t : ts) t.cancel();
    WaitResult<void> waited = co_await wait(std::move(ts));
    std::int64_t cancelled = 0;
    for (const auto& t : waited.done) cancelled += t.cancelled() ? 1 : 0;
    check(cancelled == n, "every worker ended cancelled");
}

void W5_cancel_storm(benchmark::State& state) {
    const std::int64_t n = scaled(100'000);
    RunResult r;
    for (auto _ : state) r = run([n] { return cancel_storm(n); }, quiet());
    finish(state, n, r);
}

// ---- W6: n items pulled through source -> filter -> map async generators ----

AsyncGen<std::int64_t> w6_source(std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) co_yield i;
}

AsyncGen<std::int64_t> w6_filter(AsyncGen<std::int64_t> src) {
    while (auto v = co_await src.next()) {
        if (*v % 3 != 0) co_yield *v;
    }
}

AsyncGen<std::int64_t> w6_map(AsyncGen<std::int64_t> src) {
    while (auto v = co_await src.next()) co_yield *v * 2;
}

Coro<void> w6_chain(std::int64_t n) {
    AsyncGen<std::int64_t> g = w6_map(w6_filter(w6_source(n)));
    std::int64_t count = 0;
    std::int64_t total = 0;
    while (auto v = co_await g.next()) {
        ++count;
        total += *v;
    }
    std::int64_t expect_count = 0;
    std::int64_t expect_total = 0;
    for (std::int64_t i = 0; i < n; ++i) {
        if (i % 3 != 0) {
            ++expect_count;
            expect_total += 2 * i;
        }
    }
    check(count == expect_count && total == expect_total, "every item made it through the chain");
}

void W6_asyncgen_chain(benchmark::State& state) {
    const std::int64_t n = scaled(1'000'000);
    RunResult r;
    for (auto _ : state) r = run([n] { return w6_chain(n); }, quiet());
    finish(state, n, r);
}

// ---- W7: n trivial children in one TaskGroup; the per-child cost must not grow with n ----

Coro<void> tg_spawn(TaskGroup& tg, std::int64_t n, std::shared_ptr<std::int64_t> total) {
    for (std::int64_t i = 0; i < n; ++i) {
        Task<int> t = tg.create_task(nop());
        (void)t;
    }
    ++*total;  // the body ran; the children are joined by the group's exit
    co_return;
}

Coro<void> tg_children(std::int64_t n) {
    auto total = std::make_shared<std::int64_t>(0);
    co_await async_with(TaskGroup(), &tg_spawn, n, total);
    check(*total == 1, "the group's body ran");
}

void W7_taskgroup_children(benchmark::State& state) {
    const std::int64_t n = scaled(state.range(0));
    RunResult r;
    for (auto _ : state) r = run([n] { return tg_children(n); }, quiet());
    finish(state, n, r);
}

BENCHMARK(W1_pingpong)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(W2_yield_storm)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(W1_pingpong_full)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(W2_yield_storm_full)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(W3_spawn_join)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(W4_timers)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(W5_cancel_storm)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(W6_asyncgen_chain)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(W7_taskgroup_children)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

}  // namespace
}  // namespace corosim

BENCHMARK_MAIN();
