// network.hpp: simulated hosts and a simulated TCP network on the running loop's virtual clock
// (issue 16). Every packet (connect, accept, data, FIN, reset) travels one link and arrives after
// the link's latency; each delay is a kDelay choice (Loop::choose), asked only of policies that
// explore faults or jitter, so a FIFO run delivers after the minimum latency and its trace is the
// one CPython's asyncio gives over an in-memory transport of the same shape
// (tests/conformance/refnet.py). Per connection and direction packets arrive in order and none
// is lost until a reset. Faults: partitions (held packets move again on heal), resets, host
// crashes and restarts, names that do not resolve, ports nobody listens on. docs/network.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "corosim/coro.hpp"
#include "corosim/future.hpp"
#include "corosim/task.hpp"
#include "corosim/time.hpp"

namespace corosim::net {

namespace detail {
struct NetState;
}

class Transport;
class Network;
struct DatagramAccess;

/// asyncio.Protocol: what a connection calls back (all on the loop, never reentrantly).
class Protocol {
public:
    virtual ~Protocol() = default;
    /// The connection is up; `transport` writes to the peer.
    virtual void connection_made(Transport transport) = 0;
    /// Bytes arrived, in order.
    virtual void data_received(std::string data) = 0;
    /// The peer sent FIN; return true to keep the connection half-open, false to close it.
    virtual bool eof_received() { return false; }
    /// The connection is gone: null after a clean close, else why (ConnectionResetError...).
    virtual void connection_lost(std::exception_ptr exc) = 0;
    /// The transport's write buffer went above its high-water mark.
    virtual void pause_writing() {}
    /// ...and back down to its low-water mark.
    virtual void resume_writing() {}
};

/// asyncio.Transport of one connection endpoint: a handle, copies share the endpoint. Operations
/// on a transport whose network is gone do nothing.
class Transport {
public:
    Transport() = default;
    /// Sends `data` to the peer; RuntimeError after write_eof(); dropped silently once closed
    /// (as _SelectorSocketTransport.write does after connection loss).
    void write(std::string_view data) const;
    /// Sends FIN after what was written; the peer's eof_received runs on arrival.
    void write_eof() const;
    /// Always true: TCP can half-close.
    bool can_write_eof() const noexcept { return true; }
    /// Closes: FIN to the peer, connection_lost(None) on the next iteration. Data arriving
    /// afterwards is answered with a reset, as a real socket does.
    void close() const;
    /// Closes at once and resets the peer (its pending reads raise ConnectionResetError).
    void abort() const;
    /// True once close() or abort() ran or the connection was lost.
    bool is_closing() const;
    /// Stops data_received calls (StreamReader does it above 2*limit bytes); arrivals wait.
    void pause_reading() const;
    /// Resumes them; what waited is delivered on the next iteration.
    void resume_reading() const;
    /// True unless paused or closing.
    bool is_reading() const;
    /// Bytes written and not yet delivered to the peer's protocol.
    std::size_t get_write_buffer_size() const;
    /// Flow-control marks (asyncio's defaults: 64 KiB high, high/4 low).
    void set_write_buffer_limits(std::size_t high, std::size_t low) const;
    /// `get_extra_info('peername')`-like: the peer host's name and port.
    std::string peer_host() const;
    /// The peer's port (`get_extra_info('peername')[1]`).
    int peer_port() const;
    /// The host this endpoint lives on.
    std::string local_host() const;
    /// False for a default-constructed Transport (no connection).
    explicit operator bool() const noexcept { return id_ != 0; }
    /// Runs `coro` as a task of this endpoint's host (a server's handler task): named `Task-N`
    /// on "localhost", as asyncio names it, else `<host>.conn<id>`.
    Task<void> start_task(Coro<void> coro) const;
    /// The network this endpoint belongs to: handlers reach other hosts through it without
    /// capturing a Network (a server keeps its handler, so that would be a reference cycle).
    Network network() const;

private:
    friend struct detail::NetState;
    Transport(std::weak_ptr<detail::NetState> net, std::uint64_t id) : net_(std::move(net)), id_(id) {}
    std::weak_ptr<detail::NetState> net_;
    std::uint64_t id_ = 0;
};

/// asyncio.Server of one listening port (Lib/asyncio/base_events.py Server, 3.12.1).
class Server {
public:
    Server() = default;
    /// Stops accepting; existing connections stay open.
    void close() const;
    /// Returns once closed and every connection it accepted has been lost (3.12.1).
    Coro<void> wait_closed() const;
    /// True until close().
    bool is_serving() const;
    /// The port it listens on.
    int port() const noexcept { return port_; }

private:
    friend class Network;
    Server(std::weak_ptr<detail::NetState> net, std::uint64_t id, int port) : net_(std::move(net)), id_(id), port_(port) {}
    std::weak_ptr<detail::NetState> net_;
    std::uint64_t id_ = 0;
    int port_ = 0;
};

/// A fault for a schedule (Network::at): what happens to which hosts, and for how long.
struct Fault {
    /// What the fault does.
    enum class Kind : std::uint8_t {
        kPartition,  ///< a<->b cut (packets wait), healed after `lasting` when nonzero
        kClog,       ///< a->b holds its packets for `lasting`: a link that stalls, one way
        kReset,      ///< every open connection between a and b is reset
        kCrash,      ///< host a crashes; restarts after `lasting` when nonzero
        kIsolate,    ///< host a stops responding (cut from every host, its tasks keep running)
        kHealAll,    ///< every partition, clog and isolation ends
    };
    Kind kind = Kind::kPartition;  ///< what it does
    std::string a;                 ///< the (first) host
    std::string b;                 ///< the other host of a link; empty for a host fault
    Duration lasting{0};           ///< how long until it is undone; zero: never

    /// a<->b partitioned, healed after `lasting` (never when zero).
    static Fault partition(std::string a, std::string b, Duration lasting = Duration{0});
    /// a->b stalls for `lasting`.
    static Fault clog(std::string a, std::string b, Duration lasting);
    /// Connections between a and b reset.
    static Fault reset(std::string a, std::string b);
    /// Host `h` crashes, back after `down` (never when zero).
    static Fault crash(std::string h, Duration down = Duration{0});
    /// Host `h` stops responding for `lasting` (for good when zero): nothing gets in or out.
    static Fault isolate(std::string h, Duration lasting = Duration{0});
    /// Everything healed.
    static Fault heal_all();
    /// `partition n1|n2 for 40ms` (the trace line the network writes when it applies it).
    std::string describe() const;
};

/// Which faults the explorer may inject by itself (Network::explore_faults): at every packet's
/// delivery, a kFault choice (Loop::choose) that policies exploring faults answer with a fault
/// about once in a hundred deliveries; FIFO and plain policies are never asked.
struct FaultChoices {
    Duration lasting = std::chrono::milliseconds(50);  ///< how long a drawn clog or partition lasts
};

class Network;

/// A simulated machine: a name, its tasks, its listening ports and connections.
class Host {
public:
    /// The host's name ("db1").
    const std::string& name() const noexcept { return name_; }
    /// Runs `coro` as a task on this host, named `<host>.<name>`; tasks it creates inherit the
    /// host (through a context variable), so a crash tears them down too.
    Task<void> spawn(Coro<void> coro, const std::string& name) const;
    /// Sets the boot coroutine and spawns it (as `<host>.boot`); restart() spawns it again.
    /// The factory receives the network: capturing a Network in it instead would make the
    /// network own itself and never be freed.
    void boot(std::function<Coro<void>(Network)> factory) const;
    /// The machine stops: its tasks are cancelled (message "host crashed"), its listeners and
    /// connections vanish without telling the peers; packets sent to it are dropped until
    /// restart. The scenario decides what state survives (what its boot coroutine reloads).
    void crash() const;
    /// Brings a crashed host back and runs its boot coroutine again. Packets for connections of
    /// before the crash are answered with resets.
    void restart() const;
    /// False between crash() and restart().
    bool up() const;

private:
    friend class Network;
    Host(std::shared_ptr<detail::NetState> net, std::uint32_t index, std::string name)
        : net_(std::move(net)), index_(index), name_(std::move(name)) {}
    std::shared_ptr<detail::NetState> net_;
    std::uint32_t index_ = 0;
    std::string name_;
};

/// The simulated network; a handle, copies share it. Create it inside a run (it binds to the
/// running loop) and keep a handle for as long as anything uses it.
class Network {
public:
    Network();

    /// The host called `name`, created on first use. Code not running on any host acts as the
    /// host "localhost", which exists from the start.
    Host host(const std::string& name) const;
    /// The host the current task runs on ("localhost" outside hosts' tasks).
    Host current_host() const;

    /// Every link's latency: each delivery is delayed by a value in [lo, hi] (the minimum
    /// under FIFO; a kDelay choice otherwise). Default 0.
    void set_latency(Duration lo, Duration hi) const;
    /// The latency of the links a->b and b->a.
    void set_link_latency(const std::string& a, const std::string& b, Duration lo, Duration hi) const;
    /// Cuts a->b (and b->a when `both_ways`): packets wait until heal(), as TCP retransmits.
    void partition(const std::string& a, const std::string& b, bool both_ways = true) const;
    /// Restores a->b and b->a; waiting packets leave again, with fresh delays, in order.
    void heal(const std::string& a, const std::string& b) const;
    /// Restores every link.
    void heal_all() const;
    /// Resets every open connection between a and b: both sides see ConnectionResetError.
    void reset(const std::string& a, const std::string& b) const;
    /// a->b stalls (packets wait, as in a one-way partition) until unclog(a, b) or heal.
    void clog(const std::string& a, const std::string& b) const;
    /// Ends clog(a, b) (only that direction); waiting packets leave with fresh delays.
    void unclog(const std::string& a, const std::string& b) const;
    /// Host `h` stops responding without crashing: no packet gets in or out (its tasks keep
    /// running, its connections wait) until rejoin(h) or heal_all().
    void isolate(const std::string& h) const;
    /// Ends isolate(h).
    void rejoin(const std::string& h) const;

    /// Applies `fault` at the loop's time `t` (a timer; the network traces `net.fault ...`),
    /// and undoes it `fault.lasting` later when that is nonzero. Several faults may be
    /// scheduled; a scenario builds its schedule from parameters so `fuzz` draws and shrinks it.
    void at(Duration t, Fault fault) const;
    /// Applies `fault` now (what at() does when its time comes).
    void inject(const Fault& fault) const;
    /// Lets the explorer inject clogs, partitions and connection resets at deliveries
    /// (FaultChoices); off by default, so a scenario opts in.
    void explore_faults(FaultChoices choices = {}) const;

    /// loop.create_connection from the current host: resolves (GaiError for an unknown name),
    /// connects (ConnectionRefusedError when nobody listens), calls protocol->connection_made.
    Coro<Transport> create_connection(std::shared_ptr<Protocol> protocol, std::string host, int port) const;
    /// loop.create_server: listens on `host`:`port`, calling `factory` for each connection;
    /// GaiError for an unknown host, OSError(98) when the port is taken.
    Server create_server(std::function<std::shared_ptr<Protocol>()> factory, const std::string& host, int port) const;

    /// Packets delivered so far (benchmarks and docs).
    std::uint64_t delivered() const noexcept;

private:
    friend class Host;
    friend class Transport;
    friend class DatagramTransport;
    friend struct DatagramAccess;
    explicit Network(std::shared_ptr<detail::NetState> s) : s_(std::move(s)) {}
    std::shared_ptr<detail::NetState> s_;
};

}  // namespace corosim::net
