// net_state.hpp: the network's internals, shared by network.cpp's handles: hosts, links,
// endpoints (one per side of a connection), listeners, and the wire that moves packets between
// them. Private to net/ (not installed). The transport rules follow CPython 3.12's
// _SelectorSocketTransport where a socket's behaviour shows through the protocol (write after
// close is dropped, close() reports connection_lost(None) on the next iteration, a reset
// reaches the protocol as connection_lost(ConnectionResetError)); the wire in between is ours
// and is mirrored line for line by tests/conformance/refnet.py.
#pragma once

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "corosim/context_var.hpp"
#include "corosim/diagnostics.hpp"
#include "corosim/loop.hpp"
#include "corosim/net/errors.hpp"
#include "corosim/net/network.hpp"
#include "dgram_state.hpp"

namespace corosim::net {

namespace detail {

inline constexpr std::size_t kDefaultHigh = 64 * 1024;  // selector_events: high = 64 KiB, low = high // 4
inline constexpr int kErrConnRefused = 111;
inline constexpr int kErrConnReset = 104;
inline constexpr int kErrPipe = 32;

/// What travels on a link.
struct Packet {
    enum class Kind : std::uint8_t { kSyn, kSynAck, kData, kFin, kRst };
    Kind kind = Kind::kData;
    std::string data;
};

/// One direction of a connection: packets in flight, oldest first. A timer per packet delivers
/// the head, so timers falling due together (in heap order) still deliver in send order.
struct Pipe {
    std::deque<Packet> queue;
    Nanos last_due = 0;
    std::uint32_t epoch = 0;  // bumped to void the timers of packets rescheduled or dropped
    bool stalled = false;     // the head met a partition; heal() sends the queue again
};

struct Endpoint {
    std::uint64_t id = 0;
    std::uint64_t peer = 0;  // the other end (0 while a connect is in flight)
    std::uint32_t host = 0;
    std::uint32_t peer_host = 0;
    int port = 0;  // the server's port (both ends)
    std::uint64_t server = 0;      // the listener that accepted it (server side)
    std::shared_ptr<Protocol> protocol;
    Pipe out;
    std::deque<Packet> held;  // arrived while reading was paused
    std::size_t buffer = 0;
    std::size_t high = kDefaultHigh;
    std::size_t low = kDefaultHigh / 4;
    bool connecting = false;
    bool protocol_paused = false;  // pause_writing() was called
    bool reading = true;
    bool closing = false;
    bool eof = false;        // write_eof() or close() sent FIN
    bool reset_seen = false;  // a reset arrived while reading was paused
    bool dead = false;       // its host crashed
    bool lost_called = false;
    int conn_lost = 0;
    std::optional<Future<void>> connect_waiter;
};

struct ServerRec {
    std::uint32_t host = 0;
    int port = 0;
    std::function<std::shared_ptr<Protocol>()> factory;
    bool serving = true;
    int active = 0;
    bool waiters_none = false;  // Server._waiters is None once woken
    std::vector<Future<void>> waiters;
};

struct HostRec {
    std::string name;
    bool up = true;
    bool isolated = false;  // stopped responding: nothing in or out
    std::function<Coro<void>(Network)> boot;
};

struct Link {
    Nanos lo = 0;
    Nanos hi = 0;
    bool down = false;     // partitioned
    bool clogged = false;  // stalled one way (clog, or half of a drawn partition)
};

struct NetState : std::enable_shared_from_this<NetState> {
    Loop* loop = nullptr;
    std::vector<HostRec> hosts;
    std::map<std::pair<std::uint32_t, std::uint32_t>, Link> links;
    Nanos lo = 0;
    Nanos hi = 0;
    std::map<std::uint64_t, Endpoint> endpoints;
    std::map<std::uint64_t, ServerRec> servers;
    std::map<std::pair<std::uint32_t, int>, std::uint64_t> listeners;
    std::uint64_t next_id = 0;
    std::uint64_t delivered = 0;
    std::optional<FaultChoices> fault_choices;  // explore_faults()
    ContextVar<std::uint32_t> host_var{"corosim.net.host"};
    DgramTable dgram;  // datagram endpoints (datagram.cpp)

    Endpoint* find(std::uint64_t id) {
        auto it = endpoints.find(id);
        return it == endpoints.end() ? nullptr : &it->second;
    }
    std::optional<std::uint32_t> lookup(std::string_view name) const {
        for (std::uint32_t i = 0; i < hosts.size(); ++i) {
            if (hosts[i].name == name) return i;
        }
        return std::nullopt;
    }
    std::uint32_t host_index(const std::string& name) {
        if (auto i = lookup(name)) return *i;
        hosts.push_back(HostRec{name, true, false, {}});
        return static_cast<std::uint32_t>(hosts.size() - 1);
    }
    std::uint32_t current_host() const { return host_var.get(0); }
    Link link(std::uint32_t a, std::uint32_t b) const {
        auto it = links.find({a, b});
        return it != links.end() ? it->second : Link{lo, hi, false};
    }
    Link& link_ref(std::uint32_t a, std::uint32_t b) {
        auto it = links.find({a, b});
        if (it == links.end()) it = links.emplace(std::pair{a, b}, Link{lo, hi, false}).first;
        return it->second;
    }
    Transport transport(std::uint64_t id) { return Transport(weak_from_this(), id); }
    // True when nothing gets from a to b now.
    bool cut(std::uint32_t a, std::uint32_t b) const {
        const Link l = link(a, b);
        return l.down || l.clogged || hosts[a].isolated || hosts[b].isolated;
    }
    // Every stalled pipe whose link is open again sends its packets anew (id order).
    void release() {
        for (auto& [id, e] : endpoints) {
            if (e.out.stalled && !cut(e.host, e.peer_host)) resend(e);
        }
    }

    // ---- the wire ----

    Nanos delay(std::uint32_t a, std::uint32_t b) const {
        const Link l = link(a, b);
        if (l.hi <= l.lo) return l.lo;
        const std::uint32_t k = loop->choose(ChoiceKind::kDelay, kDelayOptions, "net.delay");
        return l.lo + (l.hi - l.lo) * static_cast<Nanos>(k) / static_cast<Nanos>(kDelayOptions - 1);
    }

    void arm(Endpoint& e, Nanos due) {
        std::weak_ptr<NetState> weak = weak_from_this();
        const std::uint64_t id = e.id;
        const std::uint32_t epoch = e.out.epoch;
        (void)loop->call_at(
            due,
            [weak, id, epoch] {
                if (auto self = weak.lock()) self->fire(id, epoch);
            },
            "net.deliver()");
    }

    void send(Endpoint& e, Packet p) {
        const Nanos due = std::max(loop->time() + delay(e.host, e.peer_host), e.out.last_due);
        e.out.last_due = due;
        e.out.queue.push_back(std::move(p));
        if (!e.out.stalled) arm(e, due);
    }

    // A packet of e's pipe falls due: deliver the head, unless the link is cut (then the whole
    // pipe waits for heal) or the destination host is down (then it is lost with the host).
    void fire(std::uint64_t id, std::uint32_t epoch) {
        Endpoint* e = find(id);
        if (e == nullptr || e->out.epoch != epoch || e->out.queue.empty()) return;
        if (fault_choices && hosts[e->peer_host].up && !cut(e->host, e->peer_host)) {
            // The explorer may inject a fault at this delivery (never asked under FIFO).
            const std::uint32_t k = loop->choose(ChoiceKind::kFault, 4, "net.fault");
            if (k != 0) {
                drawn_fault(*e, k);
                e = find(id);
                if (e == nullptr || e->out.epoch != epoch || e->out.queue.empty()) return;
            }
        }
        if (cut(e->host, e->peer_host)) {
            e->out.stalled = true;
            ++e->out.epoch;
            return;
        }
        Packet p = std::move(e->out.queue.front());
        e->out.queue.pop_front();
        if (!hosts[e->peer_host].up) return;
        ++delivered;
        const std::uint64_t from = e->id;
        if (p.kind == Packet::Kind::kSyn) {
            accept(from, e->peer_host, e->port);
            return;
        }
        receive(e->peer, from, std::move(p));
    }

    void resend(Endpoint& e) {
        e.out.stalled = false;
        ++e.out.epoch;
        e.out.last_due = loop->time();
        for (std::size_t i = 0; i < e.out.queue.size(); ++i) {
            const Nanos due = std::max(loop->time() + delay(e.host, e.peer_host), e.out.last_due);
            e.out.last_due = due;
            arm(e, due);
        }
    }

    // A new endpoint on `host` whose packets go to `peer_host`.
    Endpoint& make_endpoint(std::uint32_t host, std::uint32_t peer_host, int port) {
        const std::uint64_t id = ++next_id;
        Endpoint& e = endpoints[id];
        e.id = id;
        e.host = host;
        e.peer_host = peer_host;
        e.port = port;
        return e;
    }

    // The SYN reached `host`:`port`.
    void accept(std::uint64_t client, std::uint32_t host, int port) {
        Endpoint* c = find(client);
        if (c == nullptr) return;
        const std::uint32_t client_host = c->host;
        auto it = listeners.find({host, port});
        const bool listening = it != listeners.end() && servers.at(it->second).serving;
        Endpoint& s = make_endpoint(host, client_host, port);
        s.peer = client;
        if (!listening) {
            // Nobody listens: the kernel answers RST, the connect fails with ECONNREFUSED.
            s.closing = true;
            s.lost_called = true;
            send(s, Packet{Packet::Kind::kRst, {}});
            return;
        }
        ServerRec& server = servers.at(it->second);
        s.server = it->second;
        ++server.active;
        const std::uint64_t sid = s.id;
        send(s, Packet{Packet::Kind::kSynAck, {}});
        std::shared_ptr<Protocol> protocol = server.factory();
        Endpoint* sp = find(sid);
        sp->protocol = protocol;
        protocol->connection_made(transport(sid));
    }

    // Packet `p` from endpoint `from` reaches endpoint `to`.
    void receive(std::uint64_t to, std::uint64_t from, Packet p) {
        Endpoint* e = find(to);
        if (e == nullptr) return;
        if (e->dead || (e->closing && !e->connecting)) {
            // A closed socket (or one of before a crash): data is answered with RST.
            if (p.kind == Packet::Kind::kData) reset_reply(*e, from);
            return;
        }
        switch (p.kind) {
            case Packet::Kind::kSynAck: {
                if (!e->connecting) return;
                e->connecting = false;
                e->peer = from;
                Future<void> w = *e->connect_waiter;
                e->connect_waiter.reset();
                if (w.done()) {  // the connecting task was cancelled
                    abort(to);
                    return;
                }
                std::shared_ptr<Protocol> protocol = e->protocol;
                protocol->connection_made(transport(to));
                w.set_result();
                return;
            }
            case Packet::Kind::kRst:
                if (e->connecting) {
                    e->connecting = false;
                    e->closing = true;
                    e->lost_called = true;
                    Future<void> w = *e->connect_waiter;
                    e->connect_waiter.reset();
                    e->protocol.reset();
                    if (!w.done()) {
                        const std::string msg = "Connect call failed (" + py_str_repr(hosts[e->peer_host].name) + ", " +
                                                std::to_string(e->port) + ")";
                        w.set_exception(std::make_exception_ptr(os_error<ConnectionRefusedError>(kErrConnRefused, msg)));
                    }
                    return;
                }
                if (!e->reading) {
                    e->reset_seen = true;
                    return;
                }
                force_close(to, std::make_exception_ptr(
                                    os_error<ConnectionResetError>(kErrConnReset, "Connection reset by peer")));
                return;
            case Packet::Kind::kData:
            case Packet::Kind::kFin:
                if (!e->reading || !e->held.empty()) {
                    e->held.push_back(std::move(p));
                    return;
                }
                deliver(to, std::move(p));
                return;
            case Packet::Kind::kSyn: return;
        }
    }

    void reset_reply(Endpoint& closed, std::uint64_t to) {
        // The closed endpoint's pipe still leads to `to`; a reset travels like any packet.
        if (closed.peer != to) return;
        send(closed, Packet{Packet::Kind::kRst, {}});
    }

    void deliver(std::uint64_t to, Packet p) {
        Endpoint* e = find(to);
        std::shared_ptr<Protocol> protocol = e->protocol;
        if (p.kind == Packet::Kind::kFin) {
            if (!protocol->eof_received()) close(to);
            return;
        }
        const std::size_t n = p.data.size();
        const std::uint64_t from = e->peer;
        protocol->data_received(std::move(p.data));
        // The sender learns the bytes left its buffer (an instant ack).
        if (Endpoint* src = find(from); src != nullptr) {
            src->buffer -= std::min(src->buffer, n);
            if (src->protocol && src->protocol_paused && src->buffer <= src->low) {
                src->protocol_paused = false;
                std::shared_ptr<Protocol> sp = src->protocol;
                sp->resume_writing();
            }
        }
    }

    void deliver_held(std::uint64_t id) {
        for (;;) {
            Endpoint* e = find(id);
            if (e == nullptr || e->closing || !e->reading) return;
            if (e->held.empty()) {
                if (e->reset_seen) {
                    force_close(id, std::make_exception_ptr(
                                        os_error<ConnectionResetError>(kErrConnReset, "Connection reset by peer")));
                }
                return;
            }
            Packet p = std::move(e->held.front());
            e->held.pop_front();
            deliver(id, std::move(p));
        }
    }

    // ---- transport operations ----

    void call_connection_lost(std::uint64_t id, std::exception_ptr exc) {
        std::weak_ptr<NetState> weak = weak_from_this();
        (void)loop->call_soon(
            [weak, id, exc] {
                auto self = weak.lock();
                if (!self) return;
                Endpoint* e = self->find(id);
                if (e == nullptr || e->lost_called) return;
                e->lost_called = true;
                std::shared_ptr<Protocol> protocol = std::move(e->protocol);
                const std::uint64_t server = e->server;
                if (protocol) protocol->connection_lost(exc);
                if (server != 0) self->detach(server);
            },
            "_call_connection_lost()");
    }

    void force_close(std::uint64_t id, std::exception_ptr exc) {
        Endpoint* e = find(id);
        if (e == nullptr || e->conn_lost != 0) return;
        e->buffer = 0;
        e->closing = true;
        e->reading = false;
        ++e->conn_lost;
        call_connection_lost(id, std::move(exc));
    }

    void close(std::uint64_t id) {
        Endpoint* e = find(id);
        if (e == nullptr || e->closing) return;
        e->closing = true;
        e->reading = false;
        if (!e->eof) {
            e->eof = true;
            send(*e, Packet{Packet::Kind::kFin, {}});
        }
        ++e->conn_lost;
        call_connection_lost(id, nullptr);
    }

    void abort(std::uint64_t id) {
        Endpoint* e = find(id);
        if (e == nullptr) return;
        const bool was_open = e->conn_lost == 0 && !e->connecting;
        force_close(id, nullptr);
        e = find(id);
        if (was_open && e->peer != 0) send(*e, Packet{Packet::Kind::kRst, {}});
    }

    void write(std::uint64_t id, std::string_view data) {
        Endpoint* e = find(id);
        if (e == nullptr) return;
        if (e->eof && !e->closing) throw RuntimeError("Cannot call write() after write_eof()");
        if (data.empty()) return;
        if (e->conn_lost != 0 || e->closing) {
            ++e->conn_lost;
            return;
        }
        if (e->reset_seen) {
            force_close(id, std::make_exception_ptr(os_error<BrokenPipeError>(kErrPipe, "Broken pipe")));
            return;
        }
        e->buffer += data.size();
        send(*e, Packet{Packet::Kind::kData, std::string(data)});
        e = find(id);
        if (e->buffer > e->high && !e->protocol_paused && e->protocol) {
            e->protocol_paused = true;
            std::shared_ptr<Protocol> protocol = e->protocol;
            protocol->pause_writing();
        }
    }

    // Server._detach / _wakeup (3.12.1).
    void detach(std::uint64_t sid) {
        auto it = servers.find(sid);
        if (it == servers.end()) return;
        ServerRec& s = it->second;
        if (s.active > 0) --s.active;
        if (s.active == 0 && !s.serving) wakeup(s);
    }
    static void wakeup(ServerRec& s) {
        if (s.waiters_none) return;
        s.waiters_none = true;
        std::vector<Future<void>> waiters = std::move(s.waiters);
        for (auto& w : waiters) {
            if (!w.done()) w.set_result();
        }
    }
    void close_server(std::uint64_t sid) {
        auto it = servers.find(sid);
        if (it == servers.end() || !it->second.serving) return;
        ServerRec& s = it->second;
        s.serving = false;
        listeners.erase({s.host, s.port});
        s.factory = nullptr;  // what it captured must not outlive the listening
        if (s.active == 0) wakeup(s);
    }

    // ---- faults ----

    void crash(std::uint32_t h) {
        HostRec& host = hosts[h];
        if (!host.up) return;
        host.up = false;
        for (auto& [id, e] : endpoints) {
            if (e.host != h || e.dead) continue;
            e.dead = true;
            e.closing = true;
            e.reading = false;
            ++e.conn_lost;
            e.out.queue.clear();
            ++e.out.epoch;
            e.held.clear();
            e.protocol.reset();  // the process is gone: nobody is told
            e.connect_waiter.reset();
        }
        dgram.crash(h);
        for (auto& [sid, s] : servers) {
            if (s.host != h || !s.serving) continue;
            s.serving = false;
            listeners.erase({s.host, s.port});
            s.factory = nullptr;
        }
        // Cancel every task that runs on the host, children included (creation order).
        for (TaskBase* t : loop->pending_tasks()) {
            const auto& values = *t->context().values;
            auto it = values.find(&host_var);
            if (it != values.end() && *static_cast<const std::uint32_t*>(it->second.get()) == h) {
                (void)t->cancel(std::string("host crashed"));
            }
        }
    }

    void reset_between(std::uint32_t a, std::uint32_t b) {
        std::vector<std::uint64_t> victims;
        for (auto& [id, e] : endpoints) {
            if (e.dead || e.conn_lost != 0 || e.connecting) continue;
            if ((e.host == a && e.peer_host == b) || (e.host == b && e.peer_host == a)) victims.push_back(id);
        }
        reset_endpoints(victims);
    }

    void reset_endpoints(const std::vector<std::uint64_t>& victims) {
        for (std::uint64_t id : victims) {
            Endpoint* e = find(id);
            e->out.queue.clear();
            ++e->out.epoch;
            e->out.stalled = false;
            force_close(id, std::make_exception_ptr(
                                os_error<ConnectionResetError>(kErrConnReset, "Connection reset by peer")));
        }
    }

    // Option k of a kFault choice at a delivery on e's pipe: 1 clogs this direction, 2 cuts
    // both directions (each for FaultChoices::lasting), 3 resets this connection. Milder
    // faults have smaller options, so the shrinker's smaller values are milder faults.
    void drawn_fault(Endpoint& e, std::uint32_t k) {
        const std::uint32_t a = e.host;
        const std::uint32_t b = e.peer_host;
        const Nanos lasting = fault_choices->lasting.count();
        const std::string names = hosts[a].name + (k == 1 ? "->" : "|") + hosts[b].name;
        const std::string for_text = " for " + std::to_string(lasting / 1'000'000) + "ms";
        if (k == 3) {
            loop->line("net.fault reset " + names);
            std::vector<std::uint64_t> victims;
            if (e.conn_lost == 0 && !e.dead && !e.connecting) victims.push_back(e.id);
            if (const Endpoint* p = find(e.peer); p != nullptr && p->conn_lost == 0 && !p->dead && !p->connecting) {
                victims.push_back(p->id);
            }
            reset_endpoints(victims);
            return;
        }
        loop->line("net.fault " + std::string(k == 1 ? "clog " : "partition ") + names + for_text);
        link_ref(a, b).clogged = true;
        if (k == 2) link_ref(b, a).clogged = true;
        std::weak_ptr<NetState> weak = weak_from_this();
        const bool both = k == 2;
        (void)loop->call_at(
            loop->time() + lasting,
            [weak, a, b, both] {
                auto self = weak.lock();
                if (!self) return;
                self->link_ref(a, b).clogged = false;
                if (both) self->link_ref(b, a).clogged = false;
                self->release();
            },
            "net.unclog()");
    }
};

}  // namespace detail

}  // namespace corosim::net
