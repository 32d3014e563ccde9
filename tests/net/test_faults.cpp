// Faults on a schedule (Network::at) and faults the explorer draws at deliveries
// (Network::explore_faults): what a scenario observes of each, that FIFO and plain policies are
// never asked, and that drawn faults replay.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/net/streams.hpp"
#include "corosim/scheduler/policies.hpp"

namespace corosim::net {
namespace {

struct Log {
    std::vector<std::string> events;
    void add(std::string e) { events.push_back(std::move(e)); }
};

std::string at(Nanos t) { return "@" + std::to_string(t / 1'000'000); }

RunResult run_main(std::function<Coro<void>()> make, Policy* policy = nullptr) {
    LoopOptions options;
    options.policy = policy;
    RunResult r = run(make, options);
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
    return r;
}

Coro<void> echo_lines(StreamReader reader, StreamWriter writer) {
    for (;;) {
        std::string line = co_await reader.readline();
        if (line.empty()) break;
        writer.write(line);
    }
    writer.close();
}

// A client on host a sends a line to b at `send_ms`, and logs when the echo comes back.
Coro<void> ping_at(Network net, std::shared_ptr<Log> log, std::int64_t send_ms) {
    auto [reader, writer] = co_await open_connection(net, "b", 1);
    co_await sleep(millis(send_ms) - running_loop().time());
    writer.write("ping\n");
    log->add(co_await reader.readline() + at(running_loop().time()));
    writer.close();
}

Coro<void> scheduled_main(std::shared_ptr<Log> log, Fault fault) {
    Network net;
    net.host("a");
    net.host("b");
    net.set_latency(millis(1), millis(1));
    Server s = co_await start_server(net, echo_lines, "b", 1);
    net.at(millis(10), std::move(fault));
    co_await net.host("a").spawn(ping_at(net, log, 12), "client");
    s.close();
}

TEST(Faults, ScheduledPartitionHealsAfterItsDuration) {
    auto log = std::make_shared<Log>();
    const RunResult r = run_main([log] { return scheduled_main(log, Fault::partition("a", "b", millis(30))); });
    EXPECT_EQ(r.outcome, Outcome::kPass) << r.message;
    // Sent at 12 into the partition (10..40): leaves at the heal, 1 ms each way.
    EXPECT_EQ(log->events, std::vector<std::string>{"ping\n@42"});
}

TEST(Faults, ScheduledClogStallsOneDirectionOnly) {
    auto log = std::make_shared<Log>();
    // b->a stalls 10..30: the ping goes through, its echo waits for the end of the clog.
    const RunResult r = run_main([log] { return scheduled_main(log, Fault::clog("b", "a", millis(20))); });
    EXPECT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_EQ(log->events, std::vector<std::string>{"ping\n@31"});
}

TEST(Faults, AnIsolatedHostStopsRespondingUntilItRejoins) {
    auto log = std::make_shared<Log>();
    const RunResult r = run_main([log] { return scheduled_main(log, Fault::isolate("b", millis(50))); });
    EXPECT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_EQ(log->events, std::vector<std::string>{"ping\n@62"});
}

Coro<void> ping_expect_reset(Network net, std::shared_ptr<Log> log) {
    auto [reader, writer] = co_await open_connection(net, "b", 1);
    co_await sleep(millis(20));
    try {
        log->add(co_await reader.readline());
    } catch (...) {
        log->add(exception_repr(std::current_exception()) + at(running_loop().time()));
    }
    writer.close();
}

TEST(Faults, ScheduledResetReachesAReaderLater) {
    auto log = std::make_shared<Log>();
    const RunResult r = run_main([log]() -> Coro<void> {
        Network net;
        net.host("a");
        net.host("b");
        Server s = co_await start_server(net, echo_lines, "b", 1);
        net.at(millis(10), Fault::reset("a", "b"));
        co_await net.host("a").spawn(ping_expect_reset(net, log), "client");
        s.close();
    });
    EXPECT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_EQ(log->events, std::vector<std::string>{"ConnectionResetError(104, 'Connection reset by peer')@20"});
}

TEST(Faults, ScheduledCrashRestartsAfterItsDowntime) {
    auto log = std::make_shared<Log>();
    const RunResult r = run_main([log]() -> Coro<void> {
        Network net;
        Host b = net.host("b");
        b.boot([log](Network) -> Coro<void> {
            log->add("boot" + at(running_loop().time()));
            co_await sleep(millis(100));
        });
        net.at(millis(10), Fault::crash("b", millis(5)));
        co_await sleep(millis(12));
        log->add(std::string(b.up() ? "up" : "down") + at(running_loop().time()));
        co_await sleep(millis(10));
        b.crash();
    });
    EXPECT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_EQ(log->events, (std::vector<std::string>{"boot@0", "down@12", "boot@15"}));
}

TEST(Faults, DescribeNamesTheFaultAndItsDuration) {
    EXPECT_EQ(Fault::partition("n1", "n2", millis(40)).describe(), "partition n1|n2 for 40ms");
    EXPECT_EQ(Fault::clog("a", "b", millis(5)).describe(), "clog a->b for 5ms");
    EXPECT_EQ(Fault::crash("db").describe(), "crash db");
    EXPECT_EQ(Fault::heal_all().describe(), "heal_all");
}

// ---- faults the explorer draws ----

// 40 request/replies on fresh connections, each with a deadline: what got through.
Coro<void> chatty_main(std::shared_ptr<Log> log, bool explore = true) {
    Network net;
    net.host("a");
    net.host("b");
    net.set_latency(millis(1), millis(3));
    if (explore) net.explore_faults(FaultChoices{millis(20)});
    Server s = co_await start_server(net, echo_lines, "b", 1);
    co_await net.host("a").spawn(
        [](Network n, std::shared_ptr<Log> l) -> Coro<void> {
            int ok = 0;
            for (int i = 0; i < 40; ++i) {
                try {
                    co_await wait_for(
                        [](Network n2) -> Coro<void> {
                            auto [reader, writer] = co_await open_connection(n2, "b", 1);
                            writer.write("x\n");
                            (void)co_await reader.readline();
                            writer.close();
                        }(n),
                        millis(10));
                    ++ok;
                } catch (const Exception&) {
                }
            }
            l->add("ok=" + std::to_string(ok));
        }(net, log),
        "client");
    s.close();
}

TEST(Faults, DrawnFaultsAreChoicesOnlyOfPoliciesExploringFaults) {
    auto fifo_log = std::make_shared<Log>();
    const RunResult fifo = run_main([fifo_log] { return chatty_main(fifo_log); });
    EXPECT_TRUE(fifo.choices.empty());
    EXPECT_EQ(fifo_log->events, std::vector<std::string>{"ok=40"});
    // A plain random policy is asked nothing more than without explore_faults.
    sched::RandomPolicy plain(1, 0, false);
    auto plain_log = std::make_shared<Log>();
    const RunResult r = run_main([plain_log] { return chatty_main(plain_log); }, &plain);
    sched::RandomPolicy plain2(1, 0, false);
    auto plain_log2 = std::make_shared<Log>();
    const RunResult r2 = run_main([plain_log2] { return chatty_main(plain_log2, false); }, &plain2);
    EXPECT_EQ(r.trace_hash, r2.trace_hash);
    EXPECT_EQ(r.choices, r2.choices);
    EXPECT_EQ(plain_log->events, std::vector<std::string>{"ok=40"});

    int faulted = 0;
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        auto log = std::make_shared<Log>();
        sched::RandomPolicy p(seed, 0, true);
        const RunResult a = run_main([log] { return chatty_main(log); }, &p);
        EXPECT_EQ(a.outcome, Outcome::kPass) << a.message;
        if (log->events != std::vector<std::string>{"ok=40"}) ++faulted;
        // Replaying the choices gives the same run.
        auto again = std::make_shared<Log>();
        sched::ReplayPolicy replay(a.choices, 0, true);
        const RunResult b = run_main([again] { return chatty_main(again); }, &replay);
        EXPECT_EQ(a.trace_hash, b.trace_hash);
        EXPECT_EQ(log->events, again->events);
    }
    EXPECT_GT(faulted, 0);  // about one delivery in a hundred faults; 30 runs of ~240 deliveries
}

}  // namespace
}  // namespace corosim::net
