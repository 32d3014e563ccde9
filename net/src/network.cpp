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
    s_->link_ref(ia, ib).down = false;
    s_->link_ref(ib, ia).down = false;
    for (auto& [id, e] : s_->endpoints) {
        if (e.out.stalled && ((e.host == ia && e.peer_host == ib) || (e.host == ib && e.peer_host == ia))) s_->resend(e);
    }
}
void Network::heal_all() const {
    for (auto& [key, l] : s_->links) l.down = false;
    for (auto& [id, e] : s_->endpoints) {
        if (e.out.stalled) s_->resend(e);
    }
}
void Network::reset(const std::string& a, const std::string& b) const {
    s_->reset_between(s_->host_index(a), s_->host_index(b));
}
std::uint64_t Network::delivered() const noexcept { return s_->delivered; }

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
