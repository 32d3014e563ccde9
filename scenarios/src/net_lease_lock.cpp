// net_lease_lock.cpp: a lease-based lock service over the simulated network (issue 16's second
// example). The lock server (host "lock") grants a lease of kLeaseMs with a fencing token that
// grows with every grant. Two clients (hosts c1, c2) each take the lock, then, on one
// connection to the storage server (host "store"), increment a counter a few times: GET, some
// work, PUT of the value + 1, starting each request only while their lease has kMarginMs left
// by their own clock (counted from when they asked for it, so it ends before the server's). A
// client releases the lock when its work went through and otherwise lets the lease run out.
//
// The planted bug: the store trusts the lease. A PUT sent in time can still arrive after the
// lease expired (a partition or a clogged link holds it; TCP delivers it late), after the next
// holder read the counter: the next holder's increment overwrites it, or it overwrites the
// next holder's. The fixed twin fences: each request carries its token, and the store refuses
// a token lower than one it has already seen (Kleppmann's fencing tokens). Checked at the end:
// the counter equals the number of PUTs the store accepted.
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <string>

#include "corosim/corosim.hpp"
#include "corosim/net/streams.hpp"
#include "corosim/scenarios/registry.hpp"
#include "net_util.hpp"

namespace corosim::scenarios {

namespace {

using net::Fault;
using net::Network;
using net::StreamReader;
using net::StreamReaderProtocol;
using net::StreamWriter;
using netutil::arg;

constexpr std::int64_t kLeaseMs = 40;
constexpr std::int64_t kWorkMs = 4;  // between a GET's reply and its PUT
constexpr std::int64_t kMarginMs = 2;
constexpr std::int64_t kTimeoutMs = 15;
constexpr std::int64_t kRetryMs = 5;

Nanos now() { return running_loop().time(); }
std::string ms_text(Nanos t) { return std::to_string(t / 1'000'000) + "ms"; }

struct LockState {
    std::int64_t holder = 0;
    std::int64_t token = 0;
    Nanos until = 0;
};

struct StoreState {
    bool fenced = false;
    std::int64_t x = 0;
    std::int64_t fence = 0;  // the highest token seen
    std::int64_t accepted = 0;
    std::string late;  // the first PUT accepted after a newer token's request
};

Coro<std::string> request(Network net, std::string host, std::string line) {
    return netutil::request(std::move(net), std::move(host), 1, std::move(line), kTimeoutMs);
}

// ---- the servers ----

Coro<void> serve_lock(std::shared_ptr<LockState> lock, StreamReader reader, StreamWriter writer) {
    const std::string line = co_await reader.readline();
    std::string reply = "BUSY";
    if (line.rfind("ACQ ", 0) == 0) {
        const std::int64_t client = arg(line, 1);
        if (lock->holder == 0 || now() >= lock->until) {
            lock->holder = client;
            ++lock->token;
            lock->until = now() + millis(kLeaseMs);
            reply = "GRANT " + std::to_string(lock->token);
        }
    } else if (line.rfind("REL ", 0) == 0) {
        if (lock->holder == arg(line, 1) && lock->token == arg(line, 2)) lock->holder = 0;
        reply = "OK";
    }
    writer.write(reply + "\n");
    writer.close();
}

// One connection, a request per line until EOF: "GET <token>" -> "VAL <x>"; "PUT <value>
// <token> <client>" -> "OK"; "STALE" when fenced off.
Coro<void> serve_store(std::shared_ptr<StoreState> store, StreamReader reader, StreamWriter writer) {
    for (;;) {
        const std::string line = co_await reader.readline();
        if (line.empty()) break;
        std::string reply = "STALE";
        const bool get = line.rfind("GET ", 0) == 0;
        const bool put = line.rfind("PUT ", 0) == 0;
        if (get || put) {
            const std::int64_t token = arg(line, get ? 1 : 2);
            if (!store->fenced || token >= store->fence) {
                if (put) {
                    if (token < store->fence && store->late.empty()) {
                        store->late = "c" + std::to_string(arg(line, 3)) + "'s put of " + std::to_string(arg(line, 1)) +
                                      " under token " + std::to_string(token) + " arrived at " + ms_text(now()) +
                                      ", after a request under token " + std::to_string(store->fence);
                    }
                    store->x = arg(line, 1);
                    ++store->accepted;
                }
                reply = get ? "VAL " + std::to_string(store->x) : "OK";
            }
            store->fence = std::max(store->fence, token);
        }
        writer.write(reply + "\n");
    }
    writer.close();
}

// A client that gave up closed its end; the reply then meets a reset.
template <class State>
Coro<void> guarded(std::shared_ptr<State> state, Coro<void> (*serve)(std::shared_ptr<State>, StreamReader, StreamWriter),
                   StreamReader r, StreamWriter w) {
    try {
        co_await serve(state, r, w);
    } catch (const net::ConnectionError&) {
    }
}

// The lambda only builds the coroutine: a coroutine lambda's captures would die with the
// server's callback while a handler is suspended.
template <class State>
StreamReaderProtocol::Callback handler(std::shared_ptr<State> state,
                                       Coro<void> (*serve)(std::shared_ptr<State>, StreamReader, StreamWriter)) {
    return [state, serve](StreamReader r, StreamWriter w) { return guarded(state, serve, r, w); };
}

// ---- the clients ----

// Takes the lock (retrying while it is held); returns the token and the lease's end by this
// client's clock, or token 0 when it gave up.
Coro<std::pair<std::int64_t, Nanos>> acquire(Network net, int me) {
    for (int attempt = 0; attempt < 40; ++attempt) {
        const Nanos sent = now();
        const std::string reply = co_await request(net, "lock", "ACQ " + std::to_string(me));
        if (reply.rfind("GRANT ", 0) == 0) co_return std::pair{arg(reply, 1), sent + millis(kLeaseMs - kMarginMs)};
        co_await sleep(millis(kRetryMs));
    }
    co_return std::pair{std::int64_t{0}, Nanos{0}};
}

// One line out and one back on an open connection within kTimeoutMs; "" when that failed.
Coro<std::string> ask(StreamReader reader, StreamWriter writer, std::string line) {
    writer.write(line + "\n");
    try {
        std::string reply = co_await wait_for(reader.readline(), millis(kTimeoutMs));
        if (!reply.empty() && reply.back() == '\n') reply.pop_back();
        co_return reply;
    } catch (const Exception&) {
        co_return std::string();
    }
}

Coro<void> connect_into(Network net, std::optional<std::pair<StreamReader, StreamWriter>>& out) {
    out = co_await net::open_connection(net, "store", 1);
}

// The increments of one lease on one connection to the store; true when all went through.
Coro<bool> work(Network net, int me, std::int64_t token, Nanos deadline, std::int64_t increments) {
    std::optional<std::pair<StreamReader, StreamWriter>> conn;
    try {
        co_await wait_for(connect_into(net, conn), millis(kTimeoutMs));
    } catch (const Exception&) {
        co_return false;
    }
    auto& [reader, writer] = *conn;
    const std::string t = std::to_string(token);
    bool done = true;
    for (std::int64_t k = 0; k < increments && done; ++k) {
        done = false;
        if (now() >= deadline) break;
        const std::string got = co_await ask(reader, writer, "GET " + t);
        if (got.rfind("VAL ", 0) != 0) break;
        co_await sleep(millis(kWorkMs));
        if (now() >= deadline) break;
        const std::string v = std::to_string(arg(got, 1) + 1);
        const std::string put = co_await ask(reader, writer, "PUT " + v + " " + t + " " + std::to_string(me));
        trace("put", {{"client", me}, {"value", v}, {"token", token}, {"reply", put.empty() ? "timeout" : put}});
        done = put == "OK";
    }
    writer.close();
    co_return done;
}

Coro<void> client(Network net, int me, std::int64_t rounds, std::int64_t increments) {
    for (std::int64_t round = 0; round < rounds; ++round) {
        const std::pair<std::int64_t, Nanos> lease = co_await acquire(net, me);
        if (lease.first == 0) continue;
        const bool done = co_await work(net, me, lease.first, lease.second, increments);
        // Done: hand the lock on. Not done: whether the last PUT landed is unknown; let the
        // lease run out.
        if (done) {
            (void)co_await request(net, "lock", "REL " + std::to_string(me) + " " + std::to_string(lease.first));
        }
        co_await sleep(millis(3));
    }
}

Coro<void> lease_lock(ScenarioArgs c, bool fenced) {
    Network net;
    net.set_latency(millis(1), millis(4));
    net.explore_faults(net::FaultChoices{millis(40)});
    auto lock = std::make_shared<LockState>();
    auto store = std::make_shared<StoreState>();
    store->fenced = fenced;
    net::Host lock_host = net.host("lock");
    net::Host store_host = net.host("store");
    const StreamReaderProtocol::Callback on_lock = handler(lock, &serve_lock);
    const StreamReaderProtocol::Callback on_store = handler(store, &serve_store);
    (void)co_await net::start_server(net, on_lock, "lock", 1);
    (void)co_await net::start_server(net, on_store, "store", 1);
    // A scheduled fault, from the parameters (fuzz draws and shrinks them).
    if (c.get("partition_at_ms") > 0) {
        const std::string victim = "c" + std::to_string(c.get("partitioned_client"));
        net.at(millis(c.get("partition_at_ms")), Fault::partition(victim, "store", millis(c.get("partition_ms"))));
    }
    const std::int64_t rounds = c.get("rounds");
    const std::int64_t increments = c.get("increments");
    Task<void> c1 = net.host("c1").spawn(client(net, 1, rounds, increments), "client");
    Task<void> c2 = net.host("c2").spawn(client(net, 2, rounds, increments), "client");
    co_await c1;
    co_await c2;
    co_await sleep(millis(300));  // partitions heal and late packets land
    check(store->x == store->accepted,
          "every increment the store accepted counts: x = " + std::to_string(store->x) + " after " +
              std::to_string(store->accepted) + " accepted puts (" + (store->late.empty() ? "?" : store->late) + ")");
    lock_host.crash();
    store_host.crash();
}

}  // namespace

void register_net_lease_lock(Registry& reg) {
    const std::vector<ParamSpec> params = {
        {"rounds", 1, 4, 3, "times each client takes the lock"},
        {"increments", 1, 4, 3, "increments per lease"},
        {"partition_at_ms", 0, 150, 0, "when a client is cut off from the store (0: never by schedule)"},
        {"partition_ms", 10, 200, 60, "how long that partition lasts"},
        {"partitioned_client", 1, 2, 1, "which client it cuts off"},
    };
    Scenario bug{"planted_lease_unfenced", "net",
                 "PLANTED BUG (partition/delay): the store trusts the lock's lease; a PUT sent under a lease lands after "
                 "it expired and an increment is lost",
                 params, [](const ScenarioArgs& c) { return lease_lock(c, false); }};
    bug.planted = true;
    reg.add(std::move(bug));
    reg.add({"net_lease_fenced", "net",
             "lease-based lock whose store refuses requests under an older token (fencing): no lost increment", params,
             [](const ScenarioArgs& c) { return lease_lock(c, true); }});
}

}  // namespace corosim::scenarios
