// Datagram endpoints on the simulated network (net/datagram.hpp): each datagram's own delay,
// losses to partitions and crashed hosts, ICMP port-unreachable for connected endpoints, and
// loss/duplication/holding back as recorded choices only policies exploring faults are asked.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/net/datagram.hpp"
#include "corosim/net/errors.hpp"
#include "corosim/scheduler/policies.hpp"

namespace corosim::net {
namespace {

struct Log {
    std::vector<std::string> events;
};

class Recorder : public DatagramProtocol {
public:
    explicit Recorder(std::shared_ptr<Log> log) : log_(std::move(log)) {}
    void datagram_received(std::string data, Address addr) override {
        log_->events.push_back(data + "<" + addr.host + "@" + std::to_string(running_loop().time() / 1'000'000));
    }
    void error_received(std::exception_ptr exc) override { log_->events.push_back("error " + exception_repr(exc)); }

private:
    std::shared_ptr<Log> log_;
};

RunResult run_main(std::function<Coro<void>()> make, Policy* policy = nullptr) {
    LoopOptions options;
    options.policy = policy;
    RunResult r = run(make, options);
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
    return r;
}

std::function<std::shared_ptr<DatagramProtocol>()> recorder(std::shared_ptr<Log> log) {
    return [log] { return std::make_shared<Recorder>(log); };
}

// Host a sends `n` datagrams to b, one per millisecond; `setup` may add faults.
Coro<void> stream_main(std::shared_ptr<Log> log, int n, std::function<void(Network&)> setup) {
    Network net;
    net.host("a");
    net.host("b");
    net.set_latency(millis(1), millis(4));
    setup(net);
    auto [rx, rp] = co_await create_datagram_endpoint(net, recorder(log), Address{"b", 5});
    co_await net.host("a").spawn(
        [](Network n2, std::shared_ptr<Log> l, int count) -> Coro<void> {
            auto [tx, tp] = co_await create_datagram_endpoint(n2, recorder(l), Address{}, Address{"b", 5});
            for (int i = 0; i < count; ++i) {
                tx.sendto(std::to_string(i));
                co_await sleep(millis(1));
            }
            co_await sleep(millis(50));
            tx.close();
        }(net, log, n),
        "sender");
    rx.close();
}

std::vector<std::string> in_order(int n, const std::string& from) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(std::to_string(i) + "<" + from + "@" + std::to_string(i + 1));
    return out;
}

TEST(Datagram, FifoDeliversEachOnceInOrderAfterTheMinimumLatency) {
    auto log = std::make_shared<Log>();
    const RunResult r = run_main([log] { return stream_main(log, 10, [](Network&) {}); });
    EXPECT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_TRUE(r.choices.empty());
    EXPECT_EQ(log->events, in_order(10, "a"));
}

TEST(Datagram, APartitionLosesWhatFallsDueMeanwhile) {
    auto log = std::make_shared<Log>();
    // Cut 3..6 ms: datagrams 2..5 (due at 3..6) are lost, none arrives late.
    const RunResult r = run_main([log] {
        return stream_main(log, 10, [](Network& net) { net.at(millis(3), Fault::partition("a", "b", millis(4))); });
    });
    EXPECT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_EQ(log->events, (std::vector<std::string>{"0<a@1", "1<a@2", "6<a@7", "7<a@8", "8<a@9", "9<a@10"}));
}

TEST(Datagram, AConnectedEndpointHearsOfAPortNobodyBound) {
    auto log = std::make_shared<Log>();
    const RunResult r = run_main([log]() -> Coro<void> {
        Network net;
        net.host("b");
        net.set_latency(millis(2), millis(2));
        auto [c, cp] = co_await create_datagram_endpoint(net, recorder(log), Address{}, Address{"b", 9});
        auto [u, up] = co_await create_datagram_endpoint(net, recorder(log), Address{"localhost", 0});
        c.sendto("x");
        u.sendto("y", Address{"b", 9});  // unconnected: Linux reports nothing
        co_await sleep(millis(10));
        net.host("b").crash();
        c.sendto("z");  // a crashed host answers nothing
        co_await sleep(millis(10));
        c.close();
        u.close();
    });
    EXPECT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_EQ(log->events, std::vector<std::string>{"error ConnectionRefusedError(111, 'Connection refused')"});
}

TEST(Datagram, LossDuplicationAndHoldingBackAreChoicesOnlyOfFaultPolicies) {
    const auto setup = [](Network& net) {
        set_link_datagram_faults(net, "a", "b", DatagramFaults{20, 20, 20, millis(5)});
    };
    sched::RandomPolicy plain(1, 0, false);
    auto plain_log = std::make_shared<Log>();
    (void)run_main([plain_log, setup] { return stream_main(plain_log, 10, setup); }, &plain);
    EXPECT_EQ(plain_log->events, in_order(10, "a"));  // asked nothing but orderings

    int changed = 0;
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
        auto log = std::make_shared<Log>();
        sched::RandomPolicy policy(seed, 0, true);
        const RunResult a = run_main([log, setup] { return stream_main(log, 10, setup); }, &policy);
        EXPECT_EQ(a.outcome, Outcome::kPass) << a.message;
        if (log->events.size() != 10) ++changed;
        auto again = std::make_shared<Log>();
        sched::ReplayPolicy replay(a.choices, 0, true);
        const RunResult b = run_main([again, setup] { return stream_main(again, 10, setup); }, &replay);
        EXPECT_EQ(a.trace_hash, b.trace_hash);
        EXPECT_EQ(log->events, again->events);
        // Every answer 0: each datagram once, in order, after the minimum latency.
        std::vector<std::uint32_t> zeros(a.choices.size(), 0);
        auto zero_log = std::make_shared<Log>();
        sched::ReplayPolicy zero(zeros, 0, true);
        (void)run_main([zero_log, setup] { return stream_main(zero_log, 10, setup); }, &zero);
        EXPECT_EQ(zero_log->events, in_order(10, "a"));
    }
    EXPECT_GT(changed, 0);  // 20 % loss and 20 % duplication over 10 datagrams, 10 seeds
}

TEST(Datagram, EndpointErrors) {
    const RunResult r = run_main([]() -> Coro<void> {
        Network net;
        const auto quiet = [] { return std::shared_ptr<DatagramProtocol>(std::make_shared<Recorder>(nullptr)); };
        auto [t, p] = co_await create_datagram_endpoint(net, quiet, Address{"localhost", 5});
        EXPECT_EQ(t.get_extra_info("sockname"), (Address{"localhost", 5}));
        EXPECT_FALSE(t.get_extra_info("peername"));
        bool taken = false;
        try {
            (void)co_await create_datagram_endpoint(net, quiet, Address{"localhost", 5});
        } catch (const OSError& e) {
            taken = e.errnum == 98;
        }
        EXPECT_TRUE(taken);
        bool unknown = false;
        try {
            (void)co_await create_datagram_endpoint(net, quiet, Address{}, Address{"nowhere", 5});
        } catch (const GaiError&) {
            unknown = true;
        }
        EXPECT_TRUE(unknown);
        t.close();
        EXPECT_TRUE(t.is_closing());
        // The port is free again once closed.
        auto [t2, p2] = co_await create_datagram_endpoint(net, quiet, Address{"localhost", 5});
        t2.close();
    });
    EXPECT_EQ(r.outcome, Outcome::kPass) << r.message;
}

}  // namespace
}  // namespace corosim::net
