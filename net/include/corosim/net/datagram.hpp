// datagram.hpp: asyncio's datagram endpoints on the simulated network (issue 16):
// loop.create_datagram_endpoint, DatagramProtocol and DatagramTransport with CPython 3.12's
// _SelectorDatagramTransport semantics. Unlike a connection's packets, each datagram travels on
// its own: its delay is drawn by itself (so datagrams overtake each other when the latency is a
// range), a partition, clog or isolation loses it, and a policy exploring faults may lose,
// duplicate or hold back (reorder) it, each a recorded buggify choice at a per-link rate
// (DatagramFaults). FIFO and plain policies are never asked: every datagram arrives once, in
// order. docs/network.md, "Datagrams".
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "corosim/coro.hpp"
#include "corosim/net/network.hpp"
#include "corosim/time.hpp"

namespace corosim::net {

/// A (host, port) address, as asyncio's `('host', port)` tuples; `Address{}` (no host) stands
/// for Python's None where an address is optional.
struct Address {
    /// None.
    Address() = default;
    /// (host, port). A constructor, not an aggregate: GCC 12 mishandles an aggregate temporary
    /// built inside a co_await expression (`co_await create_datagram_endpoint(net, f, {"b", 5})`).
    Address(std::string h, int p) : host(std::move(h)), port(p) {}
    std::string host;  ///< the host's name; empty: no address (None)
    int port = 0;      ///< the port
    /// True unless this is `Address{}` (None).
    explicit operator bool() const noexcept { return !host.empty(); }
    /// Python's repr of the tuple: `('db1', 9000)`.
    std::string repr() const;
    /// Same host and port.
    friend bool operator==(const Address&, const Address&) = default;
};

class DatagramTransport;

/// asyncio.DatagramProtocol: what a datagram endpoint calls back (on the loop).
class DatagramProtocol {
public:
    virtual ~DatagramProtocol() = default;
    /// The endpoint is ready (called on the loop's next iteration, as CPython does).
    virtual void connection_made(DatagramTransport transport);
    /// A datagram arrived from `addr`.
    virtual void datagram_received(std::string data, Address addr) = 0;
    /// A send or receive failed: ConnectionRefusedError(111) after sending to a port nobody
    /// listens on (connected endpoints only, as Linux reports ICMP errors), gaierror for a
    /// name that does not resolve.
    virtual void error_received(std::exception_ptr exc);
    /// The endpoint is closed (null: close() or abort()).
    virtual void connection_lost(std::exception_ptr exc);
};

/// asyncio.DatagramTransport of one endpoint: a handle, copies share it. Operations on an
/// endpoint whose network is gone, or whose host crashed, do nothing.
class DatagramTransport {
public:
    DatagramTransport() = default;
    /// Sends `data` to `addr` (or to the remote address of a connected endpoint). Empty data is
    /// ignored; ValueError for another address than a connected endpoint's; dropped once closed.
    void sendto(std::string_view data, const Address& addr = {}) const;
    /// Closes: no more datagrams are received, connection_lost(None) on the next iteration.
    void close() const;
    /// Closes at once (nothing is ever buffered, so as close()).
    void abort() const;
    /// True once close() or abort() ran.
    bool is_closing() const;
    /// Always 0: a datagram leaves at once.
    std::size_t get_write_buffer_size() const noexcept { return 0; }
    /// `get_extra_info('sockname')` / `('peername')`; nullopt for another name and for the
    /// peername of an endpoint without a remote address.
    std::optional<Address> get_extra_info(std::string_view name) const;
    /// False for a default-constructed transport.
    explicit operator bool() const noexcept { return id_ != 0; }
    /// The network this endpoint belongs to.
    Network network() const;

private:
    friend struct DatagramAccess;
    DatagramTransport(std::weak_ptr<detail::NetState> net, std::uint64_t id) : net_(std::move(net)), id_(id) {}
    std::weak_ptr<detail::NetState> net_;
    std::uint64_t id_ = 0;
};

/// What an exploring policy may do to each datagram of a link, in percent (0: never asked).
struct DatagramFaults {
    std::uint32_t loss_percent = 2;       ///< the datagram is lost
    std::uint32_t duplicate_percent = 2;  ///< it arrives twice (the copy with its own delay)
    std::uint32_t reorder_percent = 2;    ///< it is held back by `reorder_delay`, so later ones overtake it
    Duration reorder_delay = std::chrono::milliseconds(5);  ///< how long a held-back datagram waits
};

/// loop.create_datagram_endpoint(protocol_factory, local_addr, remote_addr): binds on
/// `local_addr` (its host is the endpoint's; without one, the current host and a fresh port
/// from 40000 up), connects to `remote_addr` when given (then only its datagrams are received).
/// gaierror for a host that does not exist, OSError(98) for a port taken. Returns once
/// connection_made ran, as CPython does. `Address{}` is None (no address).
Coro<std::pair<DatagramTransport, std::shared_ptr<DatagramProtocol>>> create_datagram_endpoint(
    const Network& net, std::function<std::shared_ptr<DatagramProtocol>()> protocol_factory, Address local_addr,
    Address remote_addr = {});

/// The datagram faults of every link without its own (DatagramFaults' defaults until set).
void set_datagram_faults(const Network& net, DatagramFaults faults);
/// The datagram faults of the links a->b and b->a.
void set_link_datagram_faults(const Network& net, const std::string& a, const std::string& b, DatagramFaults faults);

}  // namespace corosim::net
