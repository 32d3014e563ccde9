// Trace persistence: how fast a run's events go into the SQLite store (`fuzz --record all`).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "corosim/checker/store.hpp"
#include "corosim/checker/wire.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim {
namespace {

void BM_StoreEvents(benchmark::State& state) {
    // A real trace: sleep_sort with 64 sleepers under random scheduling, at the full level.
    const auto& scenario = *scenarios::builtin_registry().find("sleep_sort");
    checker::RunSpec spec = checker::default_spec(scenario, "random", 1);
    spec.params["n"] = 64;
    spec.level = TraceLevel::kFull;
    const checker::RunReport report = checker::make_report(checker::run_spec(scenario, spec), true);
    const std::string path = "/tmp/corosim-bench-store-" + std::to_string(::getpid()) + ".db";
    std::int64_t events = 0;
    {
        checker::Store store(path);
        const auto campaign = store.begin_campaign("bench");
        for (auto _ : state) {
            store.begin();
            for (int i = 0; i < 100; ++i) store.add_report(campaign, spec, report);
            store.commit();
            events += 100 * static_cast<std::int64_t>(report.events.size());
        }
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
    state.counters["events_per_run"] = static_cast<double>(report.events.size());
}

BENCHMARK(BM_StoreEvents)->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();

}  // namespace
}  // namespace corosim

BENCHMARK_MAIN();
