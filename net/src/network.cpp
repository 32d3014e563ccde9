// network.cpp: the handles (Transport, Server, Host, Network) over net_state.hpp's internals.
#include "corosim/net/network.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "corosim/loop.hpp"
#include "corosim/net/errors.hpp"
#include "net_state.hpp"

namespace corosim::net {


using detail::NetState;

namespace {
Coro<void> on_host(std::shared_ptr<NetState> net, std::uint32_t host, Coro<void> body) {
    net->host_var.set(host);
    net.reset();  // the task must not keep the network alive
    co_await std::move(body);
}
}  // namespace

// ---- Transport ----

void Transport::write(std::string_view data) const {
    if (auto s = net_.lock()) s->write(id_, data);
}
void Transport::write_eof() const {
    auto s = net_.lock();
    if (!s) return;
    detail::Endpoint* e = s->find(id_);
    if (e == nullptr || e->closing || e->eof) return;
    e->eof = true;
    s->send(*e, detail::Packet{detail::Packet::Kind::kFin, {}});
}
void Transport::close() const {
    if (auto s = net_.lock()) s->close(id_);
}
void Transport::abort() const {
    if (auto s = net_.lock()) s->abort(id_);
}
bool Transport::is_closing() const {
    auto s = net_.lock();
    if (!s) return true;
    const detail::Endpoint* e = s->find(id_);
    return e == nullptr || e->closing;
}
void Transport::pause_reading() const {
    auto s = net_.lock();
    if (!s) return;
    detail::Endpoint* e = s->find(id_);
    if (e == nullptr || e->closing || !e->reading) return;
    e->reading = false;
}
void Transport::resume_reading() const {
    auto s = net_.lock();
    if (!s) return;
    detail::Endpoint* e = s->find(id_);
    if (e == nullptr || e->closing || e->reading) return;
    e->reading = true;
    std::weak_ptr<NetState> weak = s;
    const std::uint64_t id = id_;
    (void)s->loop->call_soon(
        [weak, id] {
            if (auto self = weak.lock()) self->deliver_held(id);
        },
        "_read_ready()");
}
bool Transport::is_reading() const {
    auto s = net_.lock();
    if (!s) return false;
    const detail::Endpoint* e = s->find(id_);
    return e != nullptr && e->reading && !e->closing;
}
std::size_t Transport::get_write_buffer_size() const {
    auto s = net_.lock();
    const detail::Endpoint* e = s ? s->find(id_) : nullptr;
    return e != nullptr ? e->buffer : 0;
}
void Transport::set_write_buffer_limits(std::size_t high, std::size_t low) const {
    auto s = net_.lock();
    detail::Endpoint* e = s ? s->find(id_) : nullptr;
    if (e == nullptr) return;
    if (low > high) throw ValueError("high (" + std::to_string(high) + ") must be >= low (" + std::to_string(low) + ") must be >= 0");
    e->high = high;
    e->low = low;
}
std::string Transport::peer_host() const {
    auto s = net_.lock();
    const detail::Endpoint* e = s ? s->find(id_) : nullptr;
    return e != nullptr ? s->hosts[e->peer_host].name : std::string();
}
int Transport::peer_port() const {
    auto s = net_.lock();
    const detail::Endpoint* e = s ? s->find(id_) : nullptr;
    return e != nullptr ? e->port : 0;
}
std::string Transport::local_host() const {
    auto s = net_.lock();
    const detail::Endpoint* e = s ? s->find(id_) : nullptr;
    return e != nullptr ? s->hosts[e->host].name : std::string();
}

Task<void> Transport::start_task(Coro<void> coro) const {
    auto s = net_.lock();
    if (!s) throw RuntimeError("the network is gone");
    const detail::Endpoint* e = s->find(id_);
    const std::uint32_t host = e != nullptr ? e->host : 0;
    const std::string name = host == 0 ? std::string() : s->hosts[host].name + ".conn" + std::to_string(id_);
    return create_task(on_host(s, host, std::move(coro)), name);
}

Network Transport::network() const {
    auto s = net_.lock();
    if (!s) throw RuntimeError("the network is gone");
    return Network(s);
}

// ---- Server ----

void Server::close() const {
    if (auto s = net_.lock()) s->close_server(id_);
}
bool Server::is_serving() const {
    auto s = net_.lock();
    if (!s) return false;
    auto it = s->servers.find(id_);
    return it != s->servers.end() && it->second.serving;
}
namespace {
Coro<void> server_wait_closed(std::weak_ptr<NetState> net, std::uint64_t id) {
    Future<void> waiter;
    {
        auto s = net.lock();
        if (!s) co_return;
        auto it = s->servers.find(id);
        if (it == s->servers.end() || it->second.waiters_none) co_return;
        it->second.waiters.push_back(waiter);
    }
    co_await waiter;
}
}  // namespace
Coro<void> Server::wait_closed() const { return server_wait_closed(net_, id_); }

// ---- Host ----

Task<void> Host::spawn(Coro<void> coro, const std::string& name) const {
    return create_task(on_host(net_, index_, std::move(coro)), name_ + "." + name);
}
void Host::boot(std::function<Coro<void>(Network)> factory) const {
    net_->hosts[index_].boot = std::move(factory);
    if (net_->hosts[index_].up) (void)spawn(net_->hosts[index_].boot(Network(net_)), "boot");
}
void Host::crash() const { net_->crash(index_); }
void Host::restart() const {
    detail::HostRec& h = net_->hosts[index_];
    if (h.up) return;
    h.up = true;
    if (h.boot) (void)spawn(h.boot(Network(net_)), "boot");
}
bool Host::up() const { return net_->hosts[index_].up; }

// ---- Network ----

Network::Network() : s_(std::make_shared<NetState>()) {
    s_->loop = &running_loop();
    s_->host_index("localhost");
}

Host Network::host(const std::string& name) const { return Host(s_, s_->host_index(name), name); }
Host Network::current_host() const {
    const std::uint32_t h = s_->current_host();
    return Host(s_, h, s_->hosts[h].name);
}
void Network::set_latency(Duration lo, Duration hi) const {
    s_->lo = lo.count();
    s_->hi = std::max(hi.count(), lo.count());
}
void Network::set_link_latency(const std::string& a, const std::string& b, Duration lo, Duration hi) const {
    const std::uint32_t ia = s_->host_index(a);
    const std::uint32_t ib = s_->host_index(b);
    for (auto [x, y] : {std::pair{ia, ib}, std::pair{ib, ia}}) {
        detail::Link& l = s_->link_ref(x, y);
        l.lo = lo.count();
        l.hi = std::max(hi.count(), lo.count());
    }
}
void Network::partition(const std::string& a, const std::string& b, bool both_ways) const {
    const std::uint32_t ia = s_->host_index(a);
    const std::uint32_t ib = s_->host_index(b);
    s_->link_ref(ia, ib).down = true;
    if (both_ways) s_->link_ref(ib, ia).down = true;
}
void Network::heal(const std::string& a, const std::string& b) const {
    const std::uint32_t ia = s_->host_index(a);
    const std::uint32_t ib = s_->host_index(b);
    for (auto [x, y] : {std::pair{ia, ib}, std::pair{ib, ia}}) {
        detail::Link& l = s_->link_ref(x, y);
        l.down = false;
        l.clogged = false;
    }
    s_->release();
}
void Network::heal_all() const {
    for (auto& [key, l] : s_->links) {
        l.down = false;
        l.clogged = false;
    }
    for (auto& h : s_->hosts) h.isolated = false;
    s_->release();
}
void Network::clog(const std::string& a, const std::string& b) const {
    s_->link_ref(s_->host_index(a), s_->host_index(b)).clogged = true;
}
void Network::unclog(const std::string& a, const std::string& b) const {
    s_->link_ref(s_->host_index(a), s_->host_index(b)).clogged = false;
    s_->release();
}
void Network::isolate(const std::string& h) const { s_->hosts[s_->host_index(h)].isolated = true; }
void Network::rejoin(const std::string& h) const {
    s_->hosts[s_->host_index(h)].isolated = false;
    s_->release();
}
void Network::reset(const std::string& a, const std::string& b) const {
    s_->reset_between(s_->host_index(a), s_->host_index(b));
}
std::uint64_t Network::delivered() const noexcept { return s_->delivered; }

// ---- faults on a schedule ----

Fault Fault::partition(std::string a, std::string b, Duration lasting) {
    return Fault{Kind::kPartition, std::move(a), std::move(b), lasting};
}
Fault Fault::clog(std::string a, std::string b, Duration lasting) {
    return Fault{Kind::kClog, std::move(a), std::move(b), lasting};
}
Fault Fault::reset(std::string a, std::string b) { return Fault{Kind::kReset, std::move(a), std::move(b), Duration{0}}; }
Fault Fault::crash(std::string h, Duration down) { return Fault{Kind::kCrash, std::move(h), {}, down}; }
Fault Fault::isolate(std::string h, Duration lasting) { return Fault{Kind::kIsolate, std::move(h), {}, lasting}; }
Fault Fault::heal_all() { return Fault{Kind::kHealAll, {}, {}, Duration{0}}; }

std::string Fault::describe() const {
    std::string out;
    switch (kind) {
        case Kind::kPartition: out = "partition " + a + "|" + b; break;
        case Kind::kClog: out = "clog " + a + "->" + b; break;
        case Kind::kReset: out = "reset " + a + "|" + b; break;
        case Kind::kCrash: out = "crash " + a; break;
        case Kind::kIsolate: out = "isolate " + a; break;
        case Kind::kHealAll: out = "heal_all"; break;
    }
    if (lasting.count() > 0) out += " for " + std::to_string(lasting.count() / 1'000'000) + "ms";
    return out;
}

void Network::inject(const Fault& f) const {
    s_->loop->line("net.fault " + f.describe());
    switch (f.kind) {
        case Fault::Kind::kPartition: partition(f.a, f.b); break;
        case Fault::Kind::kClog: clog(f.a, f.b); break;
        case Fault::Kind::kReset: reset(f.a, f.b); break;
        case Fault::Kind::kCrash: host(f.a).crash(); break;
        case Fault::Kind::kIsolate: isolate(f.a); break;
        case Fault::Kind::kHealAll: heal_all(); break;
    }
}

namespace {
// Undoes a fault that lasts (at()'s second timer).
void undo(const Network& net, const Fault& f) {
    switch (f.kind) {
        case Fault::Kind::kPartition: net.heal(f.a, f.b); break;
        case Fault::Kind::kClog: net.unclog(f.a, f.b); break;
        case Fault::Kind::kCrash: net.host(f.a).restart(); break;
        case Fault::Kind::kIsolate: net.rejoin(f.a); break;
        case Fault::Kind::kReset:
        case Fault::Kind::kHealAll: return;
    }
    running_loop().line("net.fault_end " + f.describe());
}
}  // namespace

void Network::at(Duration t, Fault fault) const {
    // The timers hold the state weakly: a schedule must not keep the network alive.
    std::weak_ptr<NetState> weak = s_;
    auto f = std::make_shared<const Fault>(std::move(fault));
    (void)s_->loop->call_at(
        t.count(),
        [weak, f] {
            auto s = weak.lock();
            if (!s) return;
            const Network net(s);
            net.inject(*f);
            if (f->lasting.count() <= 0 || f->kind == Fault::Kind::kReset || f->kind == Fault::Kind::kHealAll) return;
            (void)s->loop->call_at(
                s->loop->time() + f->lasting.count(),
                [weak, f] {
                    if (auto s2 = weak.lock()) undo(Network(s2), *f);
                },
                "net.fault_end()");
        },
        "net.fault()");
}

void Network::explore_faults(FaultChoices choices) const { s_->fault_choices = choices; }

namespace {
Coro<Transport> connect(std::shared_ptr<NetState> s, std::shared_ptr<Protocol> protocol, std::string host, int port) {
    const std::optional<std::uint32_t> target = s->lookup(host);
    if (!target) throw os_error<GaiError>(-2, "Name or service not known");
    const std::uint32_t here = s->current_host();
    detail::Endpoint& e = s->make_endpoint(here, *target, port);
    const std::uint64_t id = e.id;
    Future<void> waiter;
    e.connecting = true;
    e.protocol = std::move(protocol);
    e.connect_waiter = waiter;
    s->send(e, detail::Packet{detail::Packet::Kind::kSyn, {}});
    std::weak_ptr<NetState> weak = s;
    s.reset();  // the awaiting task must not keep the network alive
    co_await waiter;
    auto net = weak.lock();
    if (!net) throw RuntimeError("the network is gone");
    co_return net->transport(id);
}
}  // namespace

Coro<Transport> Network::create_connection(std::shared_ptr<Protocol> protocol, std::string host, int port) const {
    return connect(s_, std::move(protocol), std::move(host), port);
}

Server Network::create_server(std::function<std::shared_ptr<Protocol>()> factory, const std::string& host, int port) const {
    const std::optional<std::uint32_t> h = s_->lookup(host);
    if (!h) throw os_error<GaiError>(-2, "Name or service not known");
    if (s_->listeners.count({*h, port}) != 0) throw os_error<OSError>(98, "address already in use");
    const std::uint64_t id = ++s_->next_id;
    detail::ServerRec rec;
    rec.host = *h;
    rec.port = port;
    rec.factory = std::move(factory);
    s_->servers.emplace(id, std::move(rec));
    s_->listeners[{*h, port}] = id;
    return Server(s_, id, port);
}

}  // namespace corosim::net
