// conf_net_dgram.cpp: twin of tests/conformance/programs/net_datagram.py. The Python side is
// CPython's create_datagram_endpoint and DatagramProtocol over tests/conformance/refnet.py's
// in-memory datagrams; here it is net/'s datagram endpoints, at zero latency under FIFO.
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "corosim/corosim.hpp"
#include "corosim/net/datagram.hpp"
#include "corosim/net/errors.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

using net::Address;
using net::DatagramProtocol;
using net::DatagramTransport;
using net::Network;
using net::py_bytes_repr;

std::string addr_text(const std::optional<Address>& a) { return a ? a->repr() : "None"; }
std::string exc_text(const std::exception_ptr& e) { return e ? exception_repr(e) : "None"; }

std::string upper(std::string s) {
    for (char& ch : s) {
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    }
    return s;
}

class Echo : public DatagramProtocol {
public:
    void connection_made(DatagramTransport t) override {
        transport_ = t;
        trace("server.made", {{"sockname", addr_text(t.get_extra_info("sockname"))},
                              {"peername", addr_text(t.get_extra_info("peername"))}});
    }
    void datagram_received(std::string data, Address addr) override {
        trace("server.got", {{"data", py_bytes_repr(data)}, {"addr", addr.repr()}});
        transport_.sendto(upper(data), addr);
    }
    void connection_lost(std::exception_ptr exc) override { trace("server.lost", {{"exc", exc_text(exc)}}); }

private:
    DatagramTransport transport_;
};

class Client : public DatagramProtocol {
public:
    explicit Client(std::string name) : name_(std::move(name)) {}
    void connection_made(DatagramTransport t) override {
        trace(name_ + ".made", {{"sockname", addr_text(t.get_extra_info("sockname"))},
                                {"peername", addr_text(t.get_extra_info("peername"))}});
    }
    void datagram_received(std::string data, Address addr) override {
        trace(name_ + ".got", {{"data", py_bytes_repr(data)}, {"addr", addr.repr()}});
        got.put_nowait(data);
    }
    void error_received(std::exception_ptr exc) override {
        bool refused = false;
        try {
            std::rethrow_exception(exc);
        } catch (const net::ConnectionRefusedError&) {
            refused = true;
        } catch (...) {
        }
        trace(name_ + ".error", {{"exc", exc_text(exc)}, {"refused", refused}});
    }
    void connection_lost(std::exception_ptr exc) override { trace(name_ + ".lost", {{"exc", exc_text(exc)}}); }
    Queue<std::string> got;

private:
    std::string name_;
};

template <class P, class... A>
std::function<std::shared_ptr<DatagramProtocol>()> factory(A... args) {
    return [args...] { return std::make_shared<P>(args...); };
}

Coro<void> net_datagram(std::int64_t count) {
    Network net;
    const Address server_addr{"localhost", 9000};
    auto [server, sp] = co_await net::create_datagram_endpoint(net, factory<Echo>(), server_addr);
    trace("server.ready");
    auto [client, cp] = co_await net::create_datagram_endpoint(net, factory<Client>(std::string("client")),
                                                               Address{}, server_addr);
    auto proto = std::static_pointer_cast<Client>(cp);
    trace("client.ready", {{"closing", client.is_closing()}, {"buffer", client.get_write_buffer_size()}});
    for (std::int64_t i = 0; i < count; ++i) client.sendto("ping " + std::to_string(i));
    client.sendto("");
    for (std::int64_t i = 0; i < count; ++i) {
        const std::string reply = co_await proto->got.get();
        trace("client.reply", {{"data", py_bytes_repr(reply)}});
    }
    try {
        client.sendto("x", Address{"localhost", 9001});
    } catch (const ValueError& e) {
        trace("client.wrong_addr", {{"exc", e.repr()}});
    }
    client.sendto("last", server_addr);
    {
        const std::string reply = co_await proto->got.get();
        trace("client.reply", {{"data", py_bytes_repr(reply)}});
    }

    auto [lonely, lp] = co_await net::create_datagram_endpoint(net, factory<Client>(std::string("lonely")),
                                                               Address{}, Address{"localhost", 9});
    lonely.sendto("anyone?");
    lonely.sendto("still?");
    co_await sleep(millis(10));
    auto [loose, lsp] = co_await net::create_datagram_endpoint(net, factory<Client>(std::string("loose")),
                                                               Address{"localhost", 0});
    loose.sendto("nobody", Address{"localhost", 9});
    loose.sendto("stranger", Address{"localhost", client.get_extra_info("sockname")->port});
    loose.sendto("hi", Address{"nowhere", 9});
    co_await sleep(millis(10));
    trace("client.queue", {{"empty", proto->got.empty()}});

    client.close();
    trace("client.closed", {{"closing", client.is_closing()}});
    client.sendto("dropped");
    client.close();
    co_await sleep(Duration{0});
    trace("after.close");
    lonely.abort();
    lonely.abort();
    trace("lonely.aborted", {{"closing", lonely.is_closing()}});
    co_await sleep(Duration{0});

    try {
        (void)co_await net::create_datagram_endpoint(net, factory<Echo>(), server_addr);
    } catch (const net::OSError& e) {
        trace("bind", {{"exc", e.repr()}});
    }
    try {
        (void)co_await net::create_datagram_endpoint(net, factory<Echo>(), Address{}, Address{"nowhere", 1});
    } catch (const net::GaiError& e) {
        trace("gaierror", {{"exc", e.repr()}});
    }
    try {
        (void)co_await net::create_datagram_endpoint(net, factory<Echo>(), Address{});
    } catch (const ValueError& e) {
        trace("no_addr", {{"exc", e.repr()}});
    }
    loose.close();
    server.close();
    co_await sleep(Duration{0});
    trace("done");
}

}  // namespace

void register_conf_net_dgram(Registry& reg) {
    reg.add({"net_datagram", "net",
             "datagrams: create_datagram_endpoint, echo, refused ports, close, abort and endpoint errors",
             {{"count", 1, 8, 3, "datagrams the client sends at once"}},
             [](const Context& c) { return net_datagram(c.get("count")); }});
}

}  // namespace corosim::scenarios
