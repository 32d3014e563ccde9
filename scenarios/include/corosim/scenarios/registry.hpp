// registry.hpp: the scenario registry. Built-in families register explicitly (static
// registrars in a static library would be dropped by the linker; STYLE 15), and iteration is
// by name so listings never depend on hash order.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "corosim/scenarios/scenario.hpp"

namespace corosim::scenarios {

/// Scenarios by name.
class Registry {
public:
    /// Adds a scenario; throws std::invalid_argument on a duplicate name.
    void add(Scenario s);
    /// The scenario called `name`, or null.
    const Scenario* find(std::string_view name) const;
    /// All scenarios, sorted by name.
    const std::map<std::string, Scenario, std::less<>>& all() const noexcept { return by_name_; }

private:
    std::map<std::string, Scenario, std::less<>> by_name_;
};

/// Registers every built-in family.
void register_builtin(Registry& reg);

/// The `basics` family: ping_pong, sleep_sort, racy_counter.
void register_basics(Registry& reg);

/// The `loop_rules` family: timer_ties, loop_order.
void register_loop_rules(Registry& reg);

/// Twins of the cancellation conformance programs (family `cancellation`).
void register_conf_cancel(Registry& reg);
/// Twin of the program where uncancel() meets an undelivered cancel (family `cancellation`).
void register_conf_uncancel(Registry& reg);
/// Twins of the timeout, shield, wait_for, gather and wait programs (family `timeouts`).
void register_conf_timeouts(Registry& reg);
/// Twins of the wait_for programs with a timeout <= 0 (family `timeouts`).
void register_conf_wait_for(Registry& reg);
/// Twins of the programs where KeyboardInterrupt, SystemExit or another BaseException ends a
/// task's step (family `runtime`).
void register_conf_interrupts(Registry& reg);
/// Twins of the TaskGroup programs (family `taskgroup`).
void register_conf_taskgroup(Registry& reg);
/// Twins of the exception-group programs (family `exception_groups`).
void register_conf_groups(Registry& reg);
/// Twin of the exception notes program (family `exception_groups`).
void register_conf_notes(Registry& reg);
/// Twin of the done-callbacks program (family `runtime`).
void register_conf_done_callbacks(Registry& reg);
/// Twin of the program driving coroutines by hand (family `runtime`).
void register_conf_coro_by_hand(Registry& reg);
/// Twins of the sync primitive, Queue, coroutine-diagnostic, exception-handler and debug-mode
/// programs (family `runtime`).
void register_conf_runtime(Registry& reg);
/// The stream-layer conformance twins (net_*.py), on the simulated network.
void register_conf_net(Registry& reg);
/// The datagram conformance twin (net_datagram.py), on the simulated network.
void register_conf_net_dgram(Registry& reg);
/// The counter over datagrams: planted_udp_counter_dup and its fixed twin.
void register_net_udp_counter(Registry& reg);
/// The replicated register over the network: planted_kv_stale_read and its fixed twin.
void register_net_kv(Registry& reg);
/// The lease-based lock service: planted_lease_unfenced and its fixed twin.
void register_net_lease_lock(Registry& reg);
/// Twins of the cyclic-collection programs (family `runtime`).
void register_conf_gc(Registry& reg);
/// Twin of the contextvars program (family `runtime`).
void register_conf_context(Registry& reg);
/// Twins of the async generator programs (family `asyncgen_cleanup`).
void register_conf_asyncgen(Registry& reg);
/// Twins of the held-out programs adapted from CPython's test suite: async generators
/// (conf_heldout.cpp), Lock/Event/Semaphore/Condition (conf_heldout_sync.cpp), Queue and
/// contextvars (conf_heldout_queue.cpp).
void register_conf_heldout(Registry& reg);
void register_conf_heldout_sync(Registry& reg);
void register_conf_heldout_queue(Registry& reg);

/// The cancellation fuzz family `cancel_in_finally`.
void register_cancel_in_finally(Registry& reg);
/// The TaskGroup fuzz family `taskgroup_errors`.
void register_taskgroup_errors(Registry& reg);
/// The `timeouts` and `shield_and_wait_for` fuzz families.
void register_timeouts(Registry& reg);

/// The planted-bug family: realistic mistakes only some schedules expose.
void register_planted_bugs(Registry& reg);
/// The bugbench family: ports of historical CPython asyncio bugs and application patterns,
/// each buggy scenario `planted` with a fixed twin that is not (docs/exploration.md).
void register_bugbench_locks(Registry& reg);
void register_bugbench_cond_queue(Registry& reg);
void register_bugbench_waitfor(Registry& reg);
void register_bugbench_apps(Registry& reg);
void register_search_targets(Registry& reg);

/// The `sync_primitives`, `contextvars` and `blocking_call` fuzz families.
void register_runtime_families(Registry& reg);
/// The `unawaited`, `never_retrieved` and `asyncgen_cleanup` fuzz families.
void register_diagnostic_families(Registry& reg);

/// A registry holding the built-in scenarios.
const Registry& builtin_registry();

/// Scenarios a program registers itself with COROSIM_SCENARIO (filled before main runs).
Registry& user_registry();

/// The built-in scenarios plus the program's own: what the CLI lists, runs and fuzzes.
const Registry& all_scenarios();

/// Registers a scenario at static-initialisation time (COROSIM_SCENARIO's helper).
struct Registrar {
    /// Adds `s` to user_registry(); a duplicate name throws std::invalid_argument (before main).
    explicit Registrar(Scenario s) { user_registry().add(std::move(s)); }
};

}  // namespace corosim::scenarios

#define COROSIM_SCENARIO_CONCAT2(a, b) a##b
#define COROSIM_SCENARIO_CONCAT(a, b) COROSIM_SCENARIO_CONCAT2(a, b)
/// Registers a scenario in the program's user registry: `COROSIM_SCENARIO(make_my_scenario());`
/// or `COROSIM_SCENARIO(corosim::scenarios::Scenario{"my_race", "mine", "what it checks",
///     {{"n", 1, 8, 3, "workers"}}, [](const corosim::scenarios::ScenarioArgs& a) { return my_race(a.get("n")); }});`
/// It must appear in a source file of the executable (a static library's registrars are dropped
/// by the linker; STYLE 15).
#define COROSIM_SCENARIO(...)                                                                  \
    static const ::corosim::scenarios::Registrar COROSIM_SCENARIO_CONCAT(corosim_registrar_, __LINE__)( \
        __VA_ARGS__)

namespace corosim::scenarios {

}  // namespace corosim::scenarios
