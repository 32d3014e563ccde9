// The in-process run rate: the campaign's own runs of a scenario (the specs `fuzz` would make,
// tracing off), one fresh loop per run, no worker process and no store. bench/fuzz_throughput.py
// sets it against `corosim fuzz --jobs 1` on the same scenario (issue 15).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "corosim/checker/campaign.hpp"
#include "corosim/checker/runner.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim {
namespace {

constexpr std::uint64_t kRuns = 20'000;  // per iteration

void BM_InProcess(benchmark::State& state, const char* name) {
    const auto& scenario = *scenarios::builtin_registry().find(name);
    checker::CampaignOptions options;
    options.scenarios = {&scenario};
    std::vector<checker::RunSpec> specs;
    for (std::uint64_t i = 0; i < kRuns; ++i) {
        specs.push_back(checker::campaign_spec(scenario, options, i));
        specs.back().level = TraceLevel::kOff;
    }
    std::uint64_t hashes = 0;
    for (auto _ : state) {
        for (const auto& spec : specs) hashes ^= checker::run_spec(scenario, spec).trace_hash;
    }
    benchmark::DoNotOptimize(hashes);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kRuns));
}

BENCHMARK_CAPTURE(BM_InProcess, tiny_group, "tiny_group")->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK_CAPTURE(BM_InProcess, tiny_pair, "tiny_pair")->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
}  // namespace corosim

BENCHMARK_MAIN();
