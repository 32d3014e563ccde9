// net_udp_counter.cpp: a counter served over datagrams (issue 16's datagram example). Clients
// c1 and c2 each ask the server (host `counter`, port 7) for `increments` increments, one at a
// time: `INC <client> <seq>`, answered by `OK <client> <seq> <value>`; a client that gets no
// answer within 10 ms sends the same request again (the datagram or its answer may be lost),
// and ignores answers to other sequence numbers (a late or duplicated one). At the end the
// counter must equal the increments the clients asked for.
//
// The planted bug: the server counts every request datagram it receives, so a duplicated
// request, or a retry after a lost answer, counts twice. FIFO and plain policies deliver every
// datagram once and in order and never see it; the buggify policies' losses and duplicates do.
// The fix (at-most-once execution): the server remembers each client's last sequence number and
// its answer, and answers a repeat from memory.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/net/datagram.hpp"
#include "corosim/scenarios/registry.hpp"
#include "net_util.hpp"

namespace corosim::scenarios {

namespace {

using net::Address;
using net::DatagramProtocol;
using net::DatagramTransport;
using net::Network;
using netutil::arg;

constexpr int kPort = 7;
constexpr std::int64_t kRetryMs = 10;

class CounterServer : public DatagramProtocol {
public:
    explicit CounterServer(bool dedup) : dedup_(dedup) {}
    void connection_made(DatagramTransport t) override { transport_ = t; }
    void datagram_received(std::string data, Address addr) override {
        const std::int64_t client = arg(data, 1);
        const std::int64_t seq = arg(data, 2);
        Last& last = last_[client];
        if (dedup_ && seq <= last.seq) {
            // A repeat: answer it from memory (only the latest can still be awaited).
            if (seq == last.seq) transport_.sendto(last.reply, addr);
            return;
        }
        ++value;
        last = Last{seq, "OK " + std::to_string(client) + " " + std::to_string(seq) + " " + std::to_string(value)};
        trace("counter.inc", {{"client", client}, {"seq", seq}, {"value", value}});
        transport_.sendto(last.reply, addr);
    }
    std::int64_t value = 0;

private:
    struct Last {
        std::int64_t seq = 0;
        std::string reply;
    };
    bool dedup_;
    DatagramTransport transport_;
    std::map<std::int64_t, Last> last_;
};

class Inbox : public DatagramProtocol {
public:
    void datagram_received(std::string data, Address) override { got.put_nowait(std::move(data)); }
    Queue<std::string> got;
};

Coro<void> client(Network net, std::int64_t me, std::int64_t increments) {
    const std::function<std::shared_ptr<DatagramProtocol>()> make = [] { return std::make_shared<Inbox>(); };
    auto [transport, protocol] =
        co_await net::create_datagram_endpoint(net, make, Address{}, Address{"counter", kPort});
    auto inbox = std::static_pointer_cast<Inbox>(protocol);
    for (std::int64_t seq = 1; seq <= increments; ++seq) {
        const std::string request = "INC " + std::to_string(me) + " " + std::to_string(seq);
        for (int attempt = 1;; ++attempt) {
            transport.sendto(request);
            std::optional<std::string> reply;
            // Answers to earlier requests (late or duplicated) are skipped.
            while (!reply) {
                std::string got;
                try {
                    got = co_await wait_for(inbox->got.get(), millis(kRetryMs));
                } catch (const TimeoutError&) {
                    break;
                }
                if (arg(got, 2) == seq) reply = got;
            }
            if (reply) {
                trace("client.ok", {{"client", me}, {"seq", seq}, {"attempt", attempt}, {"value", arg(*reply, 3)}});
                break;
            }
            trace("client.retry", {{"client", me}, {"seq", seq}});
        }
    }
    transport.close();
}

Coro<void> udp_counter(ScenarioArgs c, bool dedup) {
    Network net;
    net.set_latency(millis(1), millis(3));
    (void)net.host("counter");
    const auto server = std::make_shared<CounterServer>(dedup);
    const std::function<std::shared_ptr<DatagramProtocol>()> make = [server] { return server; };
    const Address where{"counter", kPort};
    auto [transport, protocol] = co_await net::create_datagram_endpoint(net, make, where);
    const std::int64_t increments = c.get("increments");
    std::vector<Task<void>> clients;
    for (std::int64_t me = 1; me <= c.get("clients"); ++me) {
        clients.push_back(net.host("c" + std::to_string(me)).spawn(client(net, me, increments), "client"));
    }
    for (Task<void>& t : clients) co_await t;
    co_await sleep(millis(20));  // late and duplicated datagrams land
    const std::int64_t asked = increments * c.get("clients");
    check(server->value == asked, "the counter counts each increment once: " + std::to_string(server->value) +
                                      " after " + std::to_string(asked) + " increments");
    transport.close();
}

}  // namespace

void register_net_udp_counter(Registry& reg) {
    const std::vector<ParamSpec> params = {
        {"clients", 1, 3, 2, "clients incrementing"},
        {"increments", 1, 8, 5, "increments per client"},
    };
    Scenario bug{"planted_udp_counter_dup", "net",
                 "PLANTED BUG (datagram loss/duplication): the server counts every request datagram, so a duplicate or "
                 "a retry after a lost answer counts twice",
                 params, [](const ScenarioArgs& c) { return udp_counter(c, false); }};
    bug.planted = true;
    reg.add(std::move(bug));
    reg.add({"net_udp_counter", "net",
             "counter over datagrams whose server answers a repeated request from memory: each increment counts once",
             params, [](const ScenarioArgs& c) { return udp_counter(c, true); }});
}

}  // namespace corosim::scenarios
