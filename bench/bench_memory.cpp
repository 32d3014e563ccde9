// M1-M2: heap bytes per live task (issue 15: <= 300 bytes trivial, <= 450 sleeping), the same
// tasks as bench/memory_baseline.py keeps alive on CPython. Run each benchmark in its own
// process (bench/task_memory.py does): the frame pool keeps freed frames for reuse, so a second
// measurement in one process would find its frames already allocated and read low.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "bench_scale.hpp"
#include "corosim/corosim.hpp"

namespace corosim {
namespace {

// Bytes the program holds from malloc: small chunks plus mmapped large ones.
double heap_in_use() {
    const struct mallinfo2 m = mallinfo2();
    return static_cast<double>(m.uordblks + m.hblkhd);
}

LoopOptions quiet() {
    LoopOptions o;
    o.trace_level = TraceLevel::kOff;
    o.max_steps = UINT64_MAX;
    return o;
}

Coro<void> nop() { co_return; }

Coro<void> sleeper() { co_await sleep(seconds(1)); }

// M1: n tasks created and not run yet (each a task object, its coroutine frame and its first
// step queued), as `for _ in range(n): asyncio.create_task(nop())` leaves them.
Coro<void> trivial_tasks(std::int64_t n, std::shared_ptr<double> per_task) {
    const double before = heap_in_use();
    for (std::int64_t i = 0; i < n; ++i) (void)create_task(nop());
    *per_task = (heap_in_use() - before) / static_cast<double>(n);
    co_await sleep(0);  // let them finish before the run ends
}

// M2: n tasks suspended in sleep(1 s) (task, frame, the sleep's future and timer).
Coro<void> sleeping_tasks(std::int64_t n, std::shared_ptr<double> per_task) {
    const double before = heap_in_use();
    for (std::int64_t i = 0; i < n; ++i) (void)create_task(sleeper());
    co_await sleep(0);  // every task has taken its first step and sleeps
    *per_task = (heap_in_use() - before) / static_cast<double>(n);
    co_await sleep(seconds(2));
}

template <class F>
void measure(benchmark::State& state, F make) {
    const std::int64_t n = scaled(100'000);
    auto per_task = std::make_shared<double>(0);
    RunResult r;
    for (auto _ : state) r = run([&] { return make(n, per_task); }, quiet());
    if (r.outcome != Outcome::kPass) state.SkipWithError(r.message.c_str());
    state.counters["bytes_per_task"] = *per_task;
    state.counters["tasks"] = static_cast<double>(n);
}

void M1_trivial_task(benchmark::State& state) { measure(state, trivial_tasks); }
void M2_sleeping_task(benchmark::State& state) { measure(state, sleeping_tasks); }

BENCHMARK(M1_trivial_task)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(M2_sleeping_task)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace corosim

BENCHMARK_MAIN();
