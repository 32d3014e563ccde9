// N1-N2: a client/server echo exchange over the simulated network (net/), the same exchange as
// bench/net_baseline.py runs on CPython asyncio over real loopback sockets. A message is one
// line delivered (a request or a reply); `items_per_s` counts them. N1: one connection, N2: 64
// connections at once. COROSIM_BENCH_SCALE scales the counts, as in bench_workloads.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bench_scale.hpp"
#include "corosim/corosim.hpp"
#include "corosim/net/streams.hpp"

namespace corosim {
namespace {

Coro<void> echo(net::StreamReader reader, net::StreamWriter writer) {
    for (;;) {
        std::string line = co_await reader.readline();
        if (line.empty()) break;
        writer.write(line);
    }
    writer.close();
}

Coro<void> client(net::Network n, std::int64_t rounds, std::shared_ptr<std::int64_t> received) {
    auto [reader, writer] = co_await net::open_connection(n, "server", 7);
    const std::string line = "0123456789abcde\n";  // 16 bytes
    for (std::int64_t i = 0; i < rounds; ++i) {
        writer.write(line);
        if ((co_await reader.readline()).size() == line.size()) *received += 2;
    }
    writer.close();
}

Coro<void> exchange(std::int64_t connections, std::int64_t rounds, std::shared_ptr<std::int64_t> received) {
    net::Network n;
    n.host("server");
    net::Server s = co_await net::start_server(n, echo, "server", 7);
    std::vector<Task<void>> clients;
    for (std::int64_t c = 0; c < connections; ++c) {
        clients.push_back(n.host("c" + std::to_string(c)).spawn(client(n, rounds, received), "client"));
    }
    for (auto& t : clients) co_await t;
    s.close();
    co_await s.wait_closed();
}

void run_exchange(benchmark::State& state, std::int64_t connections, std::int64_t total_rounds) {
    const std::int64_t rounds = scaled(total_rounds) / connections + 1;
    std::int64_t messages = 0;
    for (auto _ : state) {
        auto received = std::make_shared<std::int64_t>(0);
        LoopOptions o;
        o.trace_level = TraceLevel::kOff;
        o.max_steps = UINT64_MAX;
        const RunResult r = run([&] { return exchange(connections, rounds, received); }, o);
        if (r.outcome != Outcome::kPass) state.SkipWithError(r.message.c_str());
        messages = *received;
    }
    state.counters["items_per_s"] =
        benchmark::Counter(static_cast<double>(messages), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["items"] = static_cast<double>(messages);
}

void N1_echo_one_connection(benchmark::State& state) { run_exchange(state, 1, 100'000); }
void N2_echo_64_connections(benchmark::State& state) { run_exchange(state, 64, 100'000); }

BENCHMARK(N1_echo_one_connection)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(N2_echo_64_connections)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
}  // namespace corosim

BENCHMARK_MAIN();
