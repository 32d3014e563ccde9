// bugbench_util.hpp: what the bugbench scenarios share (scenarios/src only, not a public header).
// The benchmark races a timer-driven event (a release, a cancel, a put) against another one at
// the same virtual time: both land in one ready batch, so FIFO runs them in the order their
// tasks were created and an exploring policy may swap them. Each scenario creates its tasks in
// the order that makes FIFO take the safe path, so only a reordering (or a parameter relation)
// exposes the bug.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios::bugbench {

/// deque.remove(fut) by identity; false when absent (Python raises ValueError).
template <class T>
bool remove_fut(std::deque<Future<T>>& waiters, const Future<T>& fut) {
    const auto it = std::find_if(waiters.begin(), waiters.end(),
                                 [&fut](const Future<T>& w) { return w.state() == fut.state(); });
    if (it == waiters.end()) return false;
    waiters.erase(it);
    return true;
}

/// A task body: sleeps `ms` of virtual time, then runs `fn` (the timed event of a race).
inline Coro<void> at_ms(std::int64_t ms, std::function<void()> fn) {
    co_await sleep(millis(ms));
    fn();
}

/// Awaits `t`; its cancellation is an expected end, traced and not propagated.
template <class T>
Coro<void> join(Task<T> t) {
    try {
        co_await t;
    } catch (const CancelledError&) {
        trace("joined.cancelled");
    }
}

/// A task handle filled in after the task that will cancel it was created (so that the
/// canceller's timer comes first on a tie).
using TaskBox = std::shared_ptr<Task<void>>;

/// `at_ms(ms, victim.cancel())`.
inline Coro<void> cancel_at(std::int64_t ms, TaskBox victim) {
    co_await sleep(millis(ms));
    if (*victim) victim->cancel();
}

/// A bugbench scenario: a buggy one is `planted` (skipped by `fuzz --all`), its twin is not.
inline Scenario bb(std::string name, std::string description, std::vector<ParamSpec> params,
                   std::function<Coro<void>(const Context&)> make, bool buggy) {
    Scenario s{std::move(name), "bugbench", (buggy ? "BUGBENCH BUG: " : "BUGBENCH FIXED TWIN: ") + description,
               std::move(params), std::move(make)};
    s.planted = buggy;
    s.max_steps = 20'000;  // a lost wakeup is a deadlock; nothing here runs long
    return s;
}

}  // namespace corosim::scenarios::bugbench
