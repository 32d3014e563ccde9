// net_util.hpp: the request/reply helpers the network examples share (net_kv.cpp,
// net_lease_lock.cpp): one line out and one line back on a fresh connection, with a deadline.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "corosim/corosim.hpp"
#include "corosim/net/streams.hpp"

namespace corosim::scenarios::netutil {

/// One request on a fresh connection: the reply line without its newline. Raises TimeoutError
/// or a ConnectionError.
inline Coro<std::string> exchange(net::Network net, std::string host, int port, std::string line) {
    auto [reader, writer] = co_await net::open_connection(net, host, port);
    writer.write(line + "\n");
    std::string reply = co_await reader.readline();
    writer.close();
    if (!reply.empty() && reply.back() == '\n') reply.pop_back();
    co_return reply;
}

/// exchange() within `timeout_ms`; "" when it failed (timeout, reset, refused).
inline Coro<std::string> request(net::Network net, std::string host, int port, std::string line,
                                 std::int64_t timeout_ms) {
    Coro<std::string> ex = exchange(net, std::move(host), port, std::move(line));
    try {
        co_return co_await wait_for(std::move(ex), millis(timeout_ms));
    } catch (const Exception&) {
        co_return std::string();
    }
}

/// The space-separated field `index` of `line`, as an integer.
inline std::int64_t arg(const std::string& line, std::size_t index) {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < index; ++i) pos = line.find(' ', pos) + 1;
    return std::stoll(line.substr(pos));
}

}  // namespace corosim::scenarios::netutil
