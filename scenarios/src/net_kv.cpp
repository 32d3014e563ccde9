// net_kv.cpp: a primary-backup register over the simulated network (issue 16's example). n1 is
// the primary: it replicates every write to the backup n2 before acknowledging it, and serves
// reads locally while it holds a lease, renewed by heartbeats n2 acknowledges (lease = the
// heartbeat's send time + lease_ms). n2 promotes itself when heartbeats stop. The writer
// (host c1) and the reader (host c2) try n1 first and fail over to n2; every operation goes
// into a History, checked for linearizability at the end.
//
// The planted bug: n2 promotes itself after missing two heartbeats (20 ms), sooner than n1's
// lease (80 ms) runs out. When n1 is cut off from n2 and the writer but not from the reader (a
// partition, or heartbeats delayed past 20 ms), the writer's next value goes to the promoted
// n2 while n1 still serves the old value to the reader: a stale read. The fixed twin promotes
// only after lease_ms + 5 ms without a heartbeat, when n1's lease has certainly expired.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "corosim/corosim.hpp"
#include "corosim/net/history.hpp"
#include "corosim/net/streams.hpp"
#include "corosim/scenarios/registry.hpp"
#include "net_util.hpp"

namespace corosim::scenarios {

namespace {

using net::History;
using net::Network;
using net::Server;
using net::StreamReader;
using net::StreamReaderProtocol;
using net::StreamWriter;

constexpr Nanos kForever = std::numeric_limits<Nanos>::max();
constexpr std::int64_t kHeartbeatMs = 10;
constexpr std::int64_t kLeaseMs = 80;
constexpr std::int64_t kTimeoutMs = 15;  // a client's (and n1's replication) deadline

struct Node {
    bool is_n1 = false;
    bool primary = false;
    std::int64_t epoch = 1;
    std::int64_t value = 0;
    Nanos lease_until = 0;
    Nanos last_heartbeat = 0;
    std::int64_t promote_after_ms = 0;
};

Nanos now() { return running_loop().time(); }

Coro<std::string> request(Network net, std::string host, int port, std::string line) {
    return netutil::request(std::move(net), std::move(host), port, std::move(line), kTimeoutMs);
}

using netutil::arg;

// ---- the nodes ----

Coro<void> serve_client(std::shared_ptr<Node> node, StreamReader reader, StreamWriter writer) {
    std::string line = co_await reader.readline();
    std::string reply = "NO";
    if (line.rfind("GET", 0) == 0) {
        if (node->primary && now() < node->lease_until) reply = "OK " + std::to_string(node->value);
    } else if (line.rfind("PUT ", 0) == 0 && node->primary) {
        const std::int64_t v = arg(line, 1);
        if (!node->is_n1) {
            node->value = v;  // a promoted backup has nobody to replicate to
            reply = "OK";
        } else {
            Network net = writer.transport().network();
            const std::string ack =
                co_await request(net, "n2", 2, "SET " + std::to_string(node->epoch) + " " + std::to_string(v));
            if (ack == "ACK") {
                node->value = v;
                reply = "OK";
            } else {
                // NACK: n2 took over. No answer: the write may still land; step down either way.
                node->primary = false;
                reply = ack == "NACK" ? "NO" : "UNKNOWN";
            }
        }
    }
    writer.write(reply + "\n");
    writer.close();
}

// A client that gave up closes its end; the reply then meets a reset. Nothing to do about it.
Coro<void> client_handler(std::shared_ptr<Node> node, StreamReader reader, StreamWriter writer) {
    try {
        co_await serve_client(node, reader, writer);
    } catch (const net::ConnectionError&) {
    }
}

Coro<void> serve_replication(std::shared_ptr<Node> node, StreamReader reader, StreamWriter writer) {
    const std::string line = co_await reader.readline();
    std::string reply = "NACK";
    if (!node->primary && !line.empty() && arg(line, 1) >= node->epoch) {
        if (line.rfind("SET ", 0) == 0) node->value = arg(line, 2);
        node->last_heartbeat = now();
        reply = "ACK";
    }
    writer.write(reply + "\n");
    writer.close();
}

Coro<void> replication_handler(std::shared_ptr<Node> node, StreamReader reader, StreamWriter writer) {
    try {
        co_await serve_replication(node, reader, writer);
    } catch (const net::ConnectionError&) {
    }
}

Coro<void> n1_boot(Network net, std::shared_ptr<Node> node) {
    node->primary = true;
    const StreamReaderProtocol::Callback cb = [node](StreamReader r, StreamWriter w) {
        return client_handler(node, r, w);
    };
    Server server = co_await net::start_server(net, cb, "n1", 1);
    while (node->primary) {
        const Nanos sent = now();
        const std::string ack = co_await request(net, "n2", 2, "HB " + std::to_string(node->epoch));
        if (ack == "ACK") node->lease_until = std::max(node->lease_until, sent + millis(kLeaseMs));
        if (ack == "NACK") node->primary = false;
        co_await sleep(millis(kHeartbeatMs));
    }
    trace("n1.stepped_down");
    co_await sleep(seconds(3600));
    server.close();
}

Coro<void> n2_boot(Network net, std::shared_ptr<Node> node) {
    const StreamReaderProtocol::Callback clients = [node](StreamReader r, StreamWriter w) {
        return client_handler(node, r, w);
    };
    const StreamReaderProtocol::Callback replication = [node](StreamReader r, StreamWriter w) {
        return replication_handler(node, r, w);
    };
    Server s1 = co_await net::start_server(net, clients, "n2", 1);
    Server s2 = co_await net::start_server(net, replication, "n2", 2);
    while (!node->primary) {
        co_await sleep(millis(5));
        if (now() - node->last_heartbeat > millis(node->promote_after_ms)) {
            node->primary = true;
            node->epoch = 2;
            node->lease_until = kForever;
            trace("n2.promoted");
        }
    }
    co_await sleep(seconds(3600));
    s1.close();
    s2.close();
}

// ---- the clients ----

Coro<void> writer(Network net, std::shared_ptr<History> history, std::int64_t writes) {
    std::string target = "n1";
    for (std::int64_t v = 1; v <= writes; ++v) {
        for (int attempt = 0; attempt < 3; ++attempt) {
            const std::size_t op = history->invoke(1, true, v, now());
            const std::string reply = co_await request(net, target, 1, "PUT " + std::to_string(v));
            trace("put", {{"node", target}, {"value", v}, {"reply", reply.empty() ? "timeout" : reply}});
            if (reply == "OK") {
                history->complete(op, now());
                break;
            }
            if (reply == "NO") history->drop(op);  // refused: certainly no effect
            target = target == "n1" ? "n2" : "n1";
        }
        co_await sleep(millis(10));
    }
}

Coro<void> reader(Network net, std::shared_ptr<History> history, std::int64_t reads) {
    for (std::int64_t i = 0; i < reads; ++i) {
        for (const char* target : {"n1", "n2"}) {
            const std::size_t op = history->invoke(2, false, 0, now());
            const std::string reply = co_await request(net, target, 1, "GET");
            trace("get", {{"node", target}, {"reply", reply.empty() ? "timeout" : reply}});
            if (reply.rfind("OK ", 0) == 0) {
                history->complete(op, now(), arg(reply, 1));
                break;
            }
            history->drop(op);
        }
        co_await sleep(millis(7));
    }
}

// n1 loses n2 and the writer, not the reader: by schedule (partition_at_ms > 0) or when a
// buggify point fires (policies exploring faults).
Coro<void> faults(Network net, std::int64_t at_ms, std::int64_t for_ms) {
    bool cut = false;
    for (std::int64_t t = 0; t <= 100 && !cut; t += kHeartbeatMs) {
        co_await sleep(millis(kHeartbeatMs));
        cut = (at_ms > 0 && t + kHeartbeatMs >= at_ms) || buggify("kv.partition", 5);
    }
    if (!cut) co_return;
    trace("partition", {{"hosts", "n1 | n2 c1"}});
    net.partition("n1", "n2");
    net.partition("n1", "c1");
    co_await sleep(millis(for_ms));
    trace("heal");
    net.heal_all();
}

Coro<void> kv_store(ScenarioArgs c, bool fixed) {
    Network net;
    net.set_latency(millis(1), millis(4));
    auto n1 = std::make_shared<Node>();
    n1->is_n1 = true;
    auto n2 = std::make_shared<Node>();
    n2->promote_after_ms = fixed ? kLeaseMs + 5 : 2 * kHeartbeatMs;
    net::Host h1 = net.host("n1");
    net::Host h2 = net.host("n2");
    h1.boot([n1](Network nw) { return n1_boot(nw, n1); });
    h2.boot([n2](Network nw) { return n2_boot(nw, n2); });
    auto history = std::make_shared<History>();
    Task<void> w = net.host("c1").spawn(writer(net, history, c.get("writes")), "writer");
    Task<void> r = net.host("c2").spawn(reader(net, history, c.get("reads")), "reader");
    Task<void> f = create_task(faults(net, c.get("partition_at_ms"), c.get("partition_ms")));
    co_await w;
    co_await r;
    co_await f;
    const net::LinearizabilityResult lin = net::check_register(*history, 0);
    check(lin.ok, "the register is linearizable: " + lin.explanation);
    h1.crash();
    h2.crash();
}

}  // namespace

void register_net_kv(Registry& reg) {
    const std::vector<ParamSpec> params = {
        {"writes", 1, 8, 5, "values the writer puts, 10 ms apart"},
        {"reads", 1, 24, 16, "reads, 7 ms apart"},
        {"partition_at_ms", 0, 100, 0, "when n1 is cut off from n2 and the writer (0: never by schedule)"},
        {"partition_ms", 10, 200, 80, "how long the partition lasts"},
    };
    Scenario bug{"planted_kv_stale_read", "net",
                 "PLANTED BUG (partition/delay): the backup promotes itself before the primary's read lease expires; "
                 "the old primary serves a stale read",
                 params, [](const ScenarioArgs& c) { return kv_store(c, false); }};
    bug.planted = true;
    reg.add(std::move(bug));
    reg.add({"net_kv_lease", "net", "primary-backup register whose backup waits out the primary's lease: linearizable",
             params, [](const ScenarioArgs& c) { return kv_store(c, true); }});
}

}  // namespace corosim::scenarios
