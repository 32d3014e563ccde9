// datagram.cpp: datagram endpoints over net_state.hpp's hosts and links, following CPython 3.12's
// base_events.create_datagram_endpoint and selector_events._SelectorDatagramTransport where a
// socket shows through the protocol, mirrored by tests/conformance/refnet.py.
#include "corosim/net/datagram.hpp"

#include <utility>

#include "corosim/loop.hpp"
#include "corosim/net/errors.hpp"
#include "net_state.hpp"

namespace corosim::net {

using detail::DgramEndpoint;
using detail::NetState;

/// The datagram code's way into the handles' internals (befriended by Network and
/// DatagramTransport).
struct DatagramAccess {
    static const std::shared_ptr<NetState>& state(const Network& net) { return net.s_; }
    static DatagramTransport transport(const std::shared_ptr<NetState>& s, std::uint64_t id) {
        return DatagramTransport(s, id);
    }
};

namespace {

constexpr int kErrAddrInUse = 98;

Address address(const NetState& s, std::uint32_t host, int port) { return Address{s.hosts[host].name, port}; }

// _SelectorTransport._call_connection_lost on the next iteration.
void call_connection_lost(NetState& s, std::uint64_t id) {
    std::weak_ptr<NetState> weak = s.weak_from_this();
    (void)s.loop->call_soon(
        [weak, id] {
            auto self = weak.lock();
            if (!self) return;
            DgramEndpoint* e = self->dgram.find(id);
            if (e == nullptr) return;
            std::shared_ptr<DatagramProtocol> protocol = std::move(e->protocol);
            self->dgram.endpoints.erase(id);
            if (protocol) protocol->connection_lost(nullptr);
        },
        "_call_connection_lost()");
}

void deliver(NetState& s, std::uint64_t id, std::string data, Address from) {
    DgramEndpoint* e = s.dgram.find(id);
    if (e == nullptr || e->conn_lost != 0) return;  // _read_ready returns once the socket is lost
    if (!e->reading) {
        e->held.emplace_back(std::move(data), std::move(from));
        return;
    }
    ++s.delivered;
    std::shared_ptr<DatagramProtocol> protocol = e->protocol;
    protocol->datagram_received(std::move(data), std::move(from));
}

// The ICMP port-unreachable for a datagram `id` sent reaches it back: Linux reports it to a
// connected socket only, as ECONNREFUSED from its next recv, which _read_ready hands to
// error_received.
void unreachable(NetState& s, std::uint64_t id) {
    DgramEndpoint* e = s.dgram.find(id);
    if (e == nullptr || e->conn_lost != 0 || !e->remote || !e->reading) return;
    std::shared_ptr<DatagramProtocol> protocol = e->protocol;
    protocol->error_received(std::make_exception_ptr(os_error<ConnectionRefusedError>(111, "Connection refused")));
}

// A datagram from endpoint `src` (on host sh, port sp) falls due at dh:dp.
void arrive(NetState& s, std::uint64_t src, std::uint32_t sh, int sp, std::uint32_t dh, int dp, std::string data) {
    if (s.cut(sh, dh) || !s.hosts[dh].up) return;  // lost: UDP does not retransmit
    auto it = s.dgram.bound.find({dh, dp});
    if (it == s.dgram.bound.end()) {
        if (!s.hosts[sh].up) return;
        std::weak_ptr<NetState> weak = s.weak_from_this();
        (void)s.loop->call_at(
            s.loop->time() + s.delay(dh, sh),
            [weak, src, sh, dh] {
                auto self = weak.lock();
                if (self && !self->cut(dh, sh) && self->hosts[sh].up) unreachable(*self, src);
            },
            "net.deliver()");
        return;
    }
    const std::uint64_t to = it->second;
    const DgramEndpoint& e = s.dgram.endpoints.at(to);
    if (e.remote && *e.remote != std::pair{sh, sp}) return;  // a connected socket filters by peer
    deliver(s, to, std::move(data), address(s, sh, sp));
}

// Puts a datagram on the wire: loss, duplication and holding back are buggify choices at the
// link's rates, each copy's delay its own kDelay choice.
void dispatch(NetState& s, std::uint64_t src, std::uint32_t dh, int dp, std::string_view data) {
    const DgramEndpoint& e = s.dgram.endpoints.at(src);
    const std::uint32_t sh = e.host;
    const int sp = e.port;
    const DatagramFaults& f = s.dgram.faults_of(sh, dh);
    const std::string what = s.hosts[sh].name + ":" + std::to_string(sp) + "->" + s.hosts[dh].name + ":" +
                             std::to_string(dp) + " " + py_bytes_repr(data);
    if (s.loop->buggify("net.dgram.loss", f.loss_percent)) {
        s.loop->line("net.dgram lost " + what);
        return;
    }
    const int copies = s.loop->buggify("net.dgram.duplicate", f.duplicate_percent) ? 2 : 1;
    if (copies == 2) s.loop->line("net.dgram duplicated " + what);
    for (int i = 0; i < copies; ++i) {
        Nanos due = s.loop->time() + s.delay(sh, dh);
        if (s.loop->buggify("net.dgram.reorder", f.reorder_percent)) {
            s.loop->line("net.dgram held back " + what);
            due += f.reorder_delay.count();
        }
        std::weak_ptr<NetState> weak = s.weak_from_this();
        (void)s.loop->call_at(
            due,
            [weak, src, sh, sp, dh, dp, d = std::string(data)] {
                if (auto self = weak.lock()) arrive(*self, src, sh, sp, dh, dp, d);
            },
            "net.deliver()");
    }
}

std::optional<std::uint32_t> resolve(const NetState& s, const Address& a) {
    if (!a) return std::nullopt;
    const std::optional<std::uint32_t> h = s.lookup(a.host);
    if (!h) throw os_error<GaiError>(-2, "Name or service not known");
    return h;
}

// The addresses arrive resolved (a host index, -1 for none), and a resolution error is raised
// by the first resume, as awaiting CPython's coroutine raises it.
Coro<std::pair<DatagramTransport, std::shared_ptr<DatagramProtocol>>> open_endpoint(
    std::shared_ptr<NetState> s, std::function<std::shared_ptr<DatagramProtocol>()> factory, std::int64_t local_host,
    int local_port, std::int64_t remote_host, int remote_port, std::exception_ptr error) {
    if (error) std::rethrow_exception(error);
    const std::uint32_t host = local_host >= 0 ? static_cast<std::uint32_t>(local_host) : s->current_host();
    int port = local_port;
    if (port != 0 && s->dgram.bound.count({host, port}) != 0) {
        throw os_error<OSError>(kErrAddrInUse, "Address already in use");
    }
    if (port == 0) {
        while (s->dgram.bound.count({host, s->dgram.next_port}) != 0) ++s->dgram.next_port;
        port = s->dgram.next_port++;
    }
    std::shared_ptr<DatagramProtocol> protocol = factory();
    const std::uint64_t id = ++s->next_id;
    DgramEndpoint& e = s->dgram.endpoints[id];
    e.host = host;
    e.port = port;
    if (remote_host >= 0) e.remote = std::pair{static_cast<std::uint32_t>(remote_host), remote_port};
    e.protocol = protocol;
    s->dgram.bound[{host, port}] = id;
    // _SelectorDatagramTransport.__init__: connection_made, then the reader, then the waiter,
    // each on the next iteration.
    std::weak_ptr<NetState> weak = s;
    (void)s->loop->call_soon(
        [weak, id] {
            auto self = weak.lock();
            DgramEndpoint* ep = self ? self->dgram.find(id) : nullptr;
            if (ep == nullptr || !ep->protocol) return;
            std::shared_ptr<DatagramProtocol> p = ep->protocol;
            p->connection_made(DatagramAccess::transport(self, id));
        },
        "connection_made()");
    (void)s->loop->call_soon(
        [weak, id] {
            auto self = weak.lock();
            DgramEndpoint* ep = self ? self->dgram.find(id) : nullptr;
            if (ep == nullptr || ep->conn_lost != 0) return;
            ep->reading = true;
            std::deque<std::pair<std::string, Address>> held = std::move(ep->held);
            for (auto& [data, from] : held) deliver(*self, id, std::move(data), std::move(from));
        },
        "_add_reader()");
    Future<void> waiter;
    (void)s->loop->call_soon(
        [waiter]() mutable {
            if (!waiter.done()) waiter.set_result();
        },
        "_set_result_unless_cancelled()");
    DatagramTransport transport = DatagramAccess::transport(s, id);
    s.reset();  // the awaiting task must not keep the network alive
    co_await waiter;
    co_return std::pair{transport, protocol};
}

}  // namespace

std::string Address::repr() const { return "(" + py_str_repr(host) + ", " + std::to_string(port) + ")"; }

void DatagramProtocol::connection_made(DatagramTransport) {}
void DatagramProtocol::error_received(std::exception_ptr) {}
void DatagramProtocol::connection_lost(std::exception_ptr) {}

void DatagramTransport::sendto(std::string_view data, const Address& addr) const {
    auto s = net_.lock();
    DgramEndpoint* e = s ? s->dgram.find(id_) : nullptr;
    if (e == nullptr || data.empty()) return;
    std::uint32_t dh = 0;
    int dp = 0;
    if (e->remote) {
        const Address peer = address(*s, e->remote->first, e->remote->second);
        if (addr && addr != peer) throw ValueError("Invalid address: must be None or " + peer.repr());
        if (e->conn_lost != 0) {
            ++e->conn_lost;
            return;
        }
        dh = e->remote->first;
        dp = e->remote->second;
    } else {
        // CPython would hand the closed socket's sendto to _fatal_error; we drop the datagram.
        if (e->conn_lost != 0) return;
        if (!addr) throw ValueError("sendto() of an endpoint without a remote address needs an address");
        const std::optional<std::uint32_t> h = s->lookup(addr.host);
        if (!h) {
            // socket.sendto resolves the name itself: the gaierror is an OSError, which
            // sendto passes to error_received.
            std::shared_ptr<DatagramProtocol> protocol = e->protocol;
            if (protocol) protocol->error_received(std::make_exception_ptr(os_error<GaiError>(-2, "Name or service not known")));
            return;
        }
        dh = *h;
        dp = addr.port;
    }
    dispatch(*s, id_, dh, dp, data);
}

void DatagramTransport::close() const {
    auto s = net_.lock();
    DgramEndpoint* e = s ? s->dgram.find(id_) : nullptr;
    if (e == nullptr || e->closing) return;
    e->closing = true;
    e->reading = false;
    if (auto it = s->dgram.bound.find({e->host, e->port}); it != s->dgram.bound.end() && it->second == id_) {
        s->dgram.bound.erase(it);
    }
    ++e->conn_lost;
    call_connection_lost(*s, id_);
}

void DatagramTransport::abort() const {
    auto s = net_.lock();
    DgramEndpoint* e = s ? s->dgram.find(id_) : nullptr;
    if (e == nullptr || e->conn_lost != 0) return;
    e->closing = false;  // _force_close: close() below does the rest once
    close();
}

bool DatagramTransport::is_closing() const {
    auto s = net_.lock();
    const DgramEndpoint* e = s ? s->dgram.find(id_) : nullptr;
    return e == nullptr || e->closing;
}

std::optional<Address> DatagramTransport::get_extra_info(std::string_view name) const {
    auto s = net_.lock();
    const DgramEndpoint* e = s ? s->dgram.find(id_) : nullptr;
    if (e == nullptr) return std::nullopt;
    if (name == "sockname") return address(*s, e->host, e->port);
    if (name == "peername" && e->remote) return address(*s, e->remote->first, e->remote->second);
    return std::nullopt;
}

Network DatagramTransport::network() const {
    auto s = net_.lock();
    if (!s) throw RuntimeError("the network is gone");
    return Network(s);
}

Coro<std::pair<DatagramTransport, std::shared_ptr<DatagramProtocol>>> create_datagram_endpoint(
    const Network& net, std::function<std::shared_ptr<DatagramProtocol>()> protocol_factory, Address local_addr,
    Address remote_addr) {
    // The caller's arguments are emptied, as open_connection moves its host out: what GCC 12
    // leaves of temporaries inside a co_await expression is then never a live string.
    const Address local{std::move(local_addr.host), local_addr.port};
    const Address remote{std::move(remote_addr.host), remote_addr.port};
    const std::shared_ptr<NetState>& s = DatagramAccess::state(net);
    std::int64_t lh = -1;
    std::int64_t rh = -1;
    std::exception_ptr error;
    try {
        if (!local && !remote) throw ValueError("unexpected address family");
        if (const auto h = resolve(*s, local)) lh = *h;
        if (const auto h = resolve(*s, remote)) rh = *h;
    } catch (const Exception&) {
        error = std::current_exception();
    }
    return open_endpoint(s, std::move(protocol_factory), lh, local.port, rh, remote.port, std::move(error));
}

void set_datagram_faults(const Network& net, DatagramFaults faults) { DatagramAccess::state(net)->dgram.faults = faults; }

void set_link_datagram_faults(const Network& net, const std::string& a, const std::string& b, DatagramFaults faults) {
    NetState& s = *DatagramAccess::state(net);
    const std::uint32_t ia = s.host_index(a);
    const std::uint32_t ib = s.host_index(b);
    s.dgram.link_faults[{ia, ib}] = faults;
    s.dgram.link_faults[{ib, ia}] = faults;
}

}  // namespace corosim::net
