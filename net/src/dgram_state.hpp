// dgram_state.hpp: the network's datagram endpoints (bound ports, per-link fault rates), kept
// apart from the connections' state in net_state.hpp; datagram.cpp moves the datagrams. Private
// to net/ (not installed).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "corosim/future.hpp"
#include "corosim/net/datagram.hpp"

namespace corosim::net::detail {

/// One datagram endpoint (a bound UDP socket).
struct DgramEndpoint {
    std::uint32_t host = 0;
    int port = 0;
    std::optional<std::pair<std::uint32_t, int>> remote;  // connected: (host, port)
    std::shared_ptr<DatagramProtocol> protocol;
    bool reading = false;  // the reader is added after connection_made, as CPython does
    bool closing = false;
    int conn_lost = 0;
    std::deque<std::pair<std::string, Address>> held;  // arrived before reading started
};

struct DgramTable {
    std::map<std::uint64_t, DgramEndpoint> endpoints;
    std::map<std::pair<std::uint32_t, int>, std::uint64_t> bound;
    int next_port = 40000;  // ephemeral ports, in order (refnet.py counts the same way)
    DatagramFaults faults;  // links without their own
    std::map<std::pair<std::uint32_t, std::uint32_t>, DatagramFaults> link_faults;

    DgramEndpoint* find(std::uint64_t id) {
        auto it = endpoints.find(id);
        return it == endpoints.end() ? nullptr : &it->second;
    }
    const DatagramFaults& faults_of(std::uint32_t a, std::uint32_t b) const {
        auto it = link_faults.find({a, b});
        return it != link_faults.end() ? it->second : faults;
    }
    // Host h crashed: its sockets vanish, nobody is told.
    void crash(std::uint32_t h) {
        for (auto it = endpoints.begin(); it != endpoints.end();) {
            if (it->second.host == h) {
                if (auto b = bound.find({h, it->second.port}); b != bound.end() && b->second == it->first) bound.erase(b);
                it = endpoints.erase(it);
            } else {
                ++it;
            }
        }
    }
};

}  // namespace corosim::net::detail
