// conf_net.cpp: twins of the stream-layer conformance programs (tests/conformance/programs/
// net_*.py). The Python side is CPython's Lib/asyncio/streams.py over tests/conformance/
// refnet.py's in-memory wire; here it is net/'s streams over the simulated network, at zero
// latency under FIFO. Lambdas and the coroutines made from them are named before co_await:
// GCC 12 destroys a capturing lambda temporary twice inside a co_await expression.
#include <cstdint>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/net/streams.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

using net::IncompleteReadError;
using net::LimitOverrunError;
using net::Network;
using net::py_bytes_repr;
using net::Server;
using net::StreamReader;
using net::StreamReaderProtocol;
using net::StreamWriter;

// ---- net_echo ----

Coro<void> echo(StreamReader reader, StreamWriter writer) {
    trace("server.accepted");
    for (;;) {
        const std::string line = co_await reader.readline();
        trace("server.line", {{"data", py_bytes_repr(line)}});
        if (line.empty()) break;
        writer.write(line);
        co_await writer.drain();
    }
    writer.close();
    co_await writer.wait_closed();
    trace("server.closed");
}

Coro<void> net_echo(std::int64_t lines) {
    Network net;
    Server server = co_await net::start_server(net, echo, "localhost", 7000);
    auto [reader, writer] = co_await net::open_connection(net, "localhost", 7000);
    trace("client.connected");
    std::string all;
    for (std::int64_t i = 0; i < lines; ++i) all += "line " + std::to_string(i) + "\n";
    writer.write(all);
    co_await writer.drain();
    for (std::int64_t i = 0; i < lines; ++i) {
        const std::string got = co_await reader.readline();
        trace("client.got", {{"data", py_bytes_repr(got)}});
    }
    writer.write_eof();
    const std::string rest = co_await reader.read();
    trace("client.rest", {{"data", py_bytes_repr(rest)}, {"at_eof", reader.at_eof()}});
    writer.close();
    co_await writer.wait_closed();
    trace("client.closed", {{"closing", writer.is_closing()}});
    server.close();
    co_await server.wait_closed();
    trace("server.wait_closed", {{"serving", server.is_serving()}});
}

// ---- net_read_errors ----

Coro<void> send_and_close(StreamWriter writer, std::string payload) {
    writer.write(payload);
    writer.close();
    co_return;
}

StreamReaderProtocol::Callback sender(std::string payload) {
    return [payload](StreamReader, StreamWriter writer) { return send_and_close(writer, payload); };
}

Coro<void> attempt(const char* label, Coro<std::string> op) {
    try {
        const std::string got = co_await std::move(op);
        trace(label, {{"got", py_bytes_repr(got)}});
    } catch (const IncompleteReadError& e) {
        trace(label, {{"exc", e.repr()}, {"partial", py_bytes_repr(e.partial)}, {"expected", e.expected}});
    } catch (const LimitOverrunError& e) {
        trace(label, {{"exc", e.repr()}, {"consumed", e.consumed}});
    } catch (const ValueError& e) {
        trace(label, {{"exc", e.repr()}});
    }
}

Coro<void> net_read_errors() {
    Network net;
    const StreamReaderProtocol::Callback cb1 = sender("abc");
    Server s1 = co_await net::start_server(net, cb1, "localhost", 1);
    {
        auto [r, w] = co_await net::open_connection(net, "localhost", 1);
        co_await attempt("readexactly", r.readexactly(5));
        const bool eof = r.at_eof();
        const std::string rest = co_await r.read(10);
        trace("after", {{"at_eof", eof}, {"read", py_bytes_repr(rest)}});
        w.close();
    }
    const StreamReaderProtocol::Callback cb2 = sender("no separator");
    Server s2 = co_await net::start_server(net, cb2, "localhost", 2);
    {
        auto [r, w] = co_await net::open_connection(net, "localhost", 2);
        co_await attempt("readuntil", r.readuntil(";"));
        w.close();
    }
    const StreamReaderProtocol::Callback cb3 = sender("0123456789;xy;abcdefghij\nrest\n");
    Server s3 = co_await net::start_server(net, cb3, "localhost", 3);
    {
        auto [r, w] = co_await net::open_connection(net, "localhost", 3, 4);
        co_await sleep(millis(500));
        co_await attempt("readuntil.found", r.readuntil(";"));
        co_await attempt("read", r.read(3));
        co_await attempt("readuntil.small", r.readuntil(";"));
        co_await attempt("readline.long", r.readline());
        co_await attempt("readline", r.readline());
        co_await attempt("readuntil.notfound", r.readuntil("!"));
        w.close();
    }
    const StreamReaderProtocol::Callback cb4 = sender("abcdefghijklmnop");
    Server s4 = co_await net::start_server(net, cb4, "localhost", 4);
    {
        auto [r, w] = co_await net::open_connection(net, "localhost", 4, 4);
        co_await sleep(millis(500));
        co_await attempt("readuntil.scan", r.readuntil("!"));
        co_await attempt("readline.scan", r.readline());
        co_await attempt("rest", r.read());
        w.close();
    }
    for (const Server& s : {s1, s2, s3, s4}) {
        s.close();
        co_await s.wait_closed();
    }
    trace("done");
}

// ---- net_connect_errors ----

Coro<void> echo_once(StreamReader reader, StreamWriter writer) {
    const std::string data = co_await reader.readline();
    writer.write(data);
    co_await writer.drain();
    writer.close();
}

Coro<void> net_connect_errors() {
    Network net;
    std::exception_ptr exc;
    try {
        (void)co_await net::open_connection(net, "localhost", 9);
    } catch (const net::ConnectionRefusedError&) {
        exc = std::current_exception();
    }
    trace("refused", {{"exc", exc}, {"oserror", holds<net::OSError>(exc)}, {"connerror", holds<net::ConnectionError>(exc)}});
    try {
        (void)co_await net::open_connection(net, "nowhere", 80);
    } catch (const net::GaiError&) {
        exc = std::current_exception();
    }
    trace("gaierror", {{"exc", exc}, {"oserror", holds<net::OSError>(exc)}});
    Server server = co_await net::start_server(net, echo_once, "localhost", 9);
    try {
        (void)co_await net::start_server(net, echo_once, "localhost", 9);
    } catch (const net::OSError& e) {
        trace("bind", {{"exc", e.repr()}});
    }
    auto [reader, writer] = co_await net::open_connection(net, "localhost", 9);
    server.close();
    trace("server.closed", {{"serving", server.is_serving()}});
    try {
        (void)co_await net::open_connection(net, "localhost", 9);
    } catch (const net::ConnectionRefusedError& e) {
        trace("refused.after_close", {{"exc", e.repr()}});
    }
    writer.write("still here\n");
    const std::string echoed = co_await reader.readline();
    trace("echo", {{"data", py_bytes_repr(echoed)}});
    const std::string rest = co_await reader.read();
    trace("eof", {{"data", py_bytes_repr(rest)}});
    writer.close();
    co_await writer.wait_closed();
    co_await server.wait_closed();
    trace("done");
}

// ---- net_close_reset ----

Coro<void> closer(StreamReader, StreamWriter writer) {
    trace("closer.accepted");
    writer.close();
    co_return;
}

Coro<void> sleepy(StreamReader reader, StreamWriter writer) {
    co_await sleep(seconds(1));
    const std::string data = co_await reader.read();
    trace("sleepy.read", {{"n", data.size()}});
    writer.close();
}

Coro<void> waiter(StreamReader reader, StreamWriter writer) {
    try {
        (void)co_await reader.read(10);
    } catch (const net::ConnectionResetError& e) {
        trace("waiter.reset", {{"exc", e.repr()}});
    }
    writer.close();
}

Coro<void> net_close_reset() {
    Network net;
    Server s1 = co_await net::start_server(net, closer, "localhost", 1);
    {
        auto [r, w] = co_await net::open_connection(net, "localhost", 1);
        w.close();
        w.write("late");
        try {
            co_await w.drain();
        } catch (const net::ConnectionResetError& e) {
            trace("drain", {{"exc", e.repr()}});
        }
    }
    {
        auto [r, w] = co_await net::open_connection(net, "localhost", 1);
        const std::string eof = co_await r.read();
        trace("eof", {{"data", py_bytes_repr(eof)}});
        w.write("into the void");
        try {
            const std::string data = co_await r.read(10);
            trace("read", {{"data", py_bytes_repr(data)}});
        } catch (const net::ConnectionResetError& e) {
            trace("read.reset", {{"exc", e.repr()}});
        }
        try {
            co_await w.wait_closed();
        } catch (const net::ConnectionResetError& e) {
            trace("wait_closed", {{"exc", e.repr()}});
        }
        w.close();
    }
    Server s2 = co_await net::start_server(net, waiter, "localhost", 2);
    {
        auto [r, w] = co_await net::open_connection(net, "localhost", 2);
        co_await sleep(millis(250));
        w.transport().abort();
        co_await sleep(millis(250));
        trace("aborted", {{"closing", w.is_closing()}});
    }
    Server s3 = co_await net::start_server(net, sleepy, "localhost", 3, 1000);
    {
        auto [r, w] = co_await net::open_connection(net, "localhost", 3);
        w.transport().set_write_buffer_limits(1000, 100);
        w.write(std::string(3000, 'x'));
        co_await sleep(millis(250));
        w.write(std::string(2000, 'y'));
        trace("buffered", {{"n", w.transport().get_write_buffer_size()}});
        co_await w.drain();
        trace("drained", {{"n", w.transport().get_write_buffer_size()}});
        w.write_eof();
        const std::string eof = co_await r.read();
        trace("eof", {{"data", py_bytes_repr(eof)}});
        w.close();
        co_await w.wait_closed();
    }
    for (const Server& s : {s1, s2, s3}) {
        s.close();
        co_await s.wait_closed();
    }
    trace("done");
}

}  // namespace

void register_conf_net(Registry& reg) {
    reg.add({"net_echo", "net", "streams: an echo server and client; EOF, close and Server.wait_closed",
             {{"lines", 1, 8, 2, "lines the client sends in one write"}},
             [](const Context& c) { return net_echo(c.get("lines")); }});
    reg.add({"net_read_errors", "net", "streams: IncompleteReadError, LimitOverrunError and readline's ValueError", {},
             [](const Context&) { return net_read_errors(); }});
    reg.add({"net_connect_errors", "net", "streams: refused, unresolvable and taken ports; a closed server", {},
             [](const Context&) { return net_connect_errors(); }});
    reg.add({"net_close_reset", "net", "streams: drain after close, resets, abort and flow control", {},
             [](const Context&) { return net_close_reset(); }});
}

}  // namespace corosim::scenarios
