// hostile_scenarios.cpp: the corosim CLI plus scenarios that misbehave outside the simulation's
// control (issue 11): one never yields to the loop, one allocates until it cannot (and one that
// swallows std::bad_alloc on the way), one whose parameter name needs escaping in JSON, one with
// a flag parameter, and two that end as a dangling coroutine parameter or capture typically does
// (a segfault, a std::length_error or std::bad_alloc escaping main), for the hint line (issue 14).
// Never part of the built-in registry: `fuzz --all` must not spin for its timeout.
#include <corosim/corosim.hpp>
#include <corosim/scenarios/registry.hpp>

#include <csignal>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

using namespace corosim;

namespace {

Coro<void> spin_forever() {
    volatile std::uint64_t n = 0;
    for (;;) n = n + 1;  // never awaits: only a wall-clock timeout ends it
    co_return;
}

Coro<void> alloc_forever(std::int64_t swallow) {
    std::vector<std::unique_ptr<char[]>> blocks;
    for (;;) {
        try {
            blocks.emplace_back(new char[1 << 20]);
            std::memset(blocks.back().get(), 1, 1 << 20);
        } catch (const std::bad_alloc&) {
            if (swallow == 0) throw;
        }
        co_await corosim::sleep(0);
    }
}

Coro<void> odd_param(std::int64_t v) {
    co_await corosim::sleep(0);
    check(v < 5, "the odd parameter stays small");
}

Coro<void> flagged(bool broken, std::int64_t size) {
    co_await corosim::sleep(0);
    trace("flagged", {{"size", size}});
    check(!broken, "not broken");
}

Coro<void> segfault() {
    co_await corosim::sleep(0);
    std::raise(SIGSEGV);  // what reading a dead lambda's captures ends in, without the UB
}

Coro<void> bad_size(std::int64_t which) {
    co_await corosim::sleep(0);
    if (which == 0) throw std::bad_alloc();
    std::string s;
    s.reserve(s.max_size() + 1);  // std::length_error, as a garbage length does
}

}  // namespace

COROSIM_SCENARIO(scenarios::Scenario{"segfault", "hostile", "dies of SIGSEGV", {},
                                     [](const scenarios::Context&) { return segfault(); }});
COROSIM_SCENARIO(scenarios::Scenario{"bad_size", "hostile", "std::bad_alloc (0) or std::length_error (1) escapes main",
                                     {{"which", 0, 1, 0, "0: bad_alloc, 1: length_error"}},
                                     [](const scenarios::Context& c) { return bad_size(c.get("which")); }});
COROSIM_SCENARIO(scenarios::Scenario{"spin_forever", "hostile", "never yields to the loop", {},
                                     [](const scenarios::Context&) { return spin_forever(); }});
COROSIM_SCENARIO(scenarios::Scenario{
    "alloc_forever", "hostile", "allocates 1 MiB per step until memory runs out",
    {{"swallow", 0, 1, 0, "1: catch std::bad_alloc and go on"}},
    [](const scenarios::Context& c) { return alloc_forever(c.get("swallow")); }});
COROSIM_SCENARIO(scenarios::Scenario{"flagged", "hostile", "fails exactly when its flag is set",
                                     {scenarios::flag_param("broken", false, "fail the check"), {"size", 0, 9, 3, "unused"}},
                                     [](const scenarios::Context& c) { return flagged(c.flag("broken"), c.get("size")); }});
COROSIM_SCENARIO(scenarios::Scenario{"odd_param", "hostile", "a parameter name with a quote and a backslash",
                                     {{"we\"ird\\name", 0, 9, 0, "fails from 5"}},
                                     [](const scenarios::Context& c) { return odd_param(c.get("we\"ird\\name")); }});
