// gc.hpp: gc_point(label), Python's gc.collect() at a place the scenario chooses (SEMANTICS
// H2). Reference counting frees everything but cycles, and the cycle that matters here is a
// pending task waiting on a future only it can reach (task -> fut_waiter -> wakeup callback ->
// task): CPython's collector finalises such a task's coroutine (GeneratorExit at its await,
// SEMANTICS A6) and reports "Task was destroyed but it is pending!" (B12). Collection is
// explicit, never automatic, so it happens at the same place in every run.
#pragma once

#include <cstddef>
#include <string_view>

#include "corosim/loop.hpp"

namespace corosim {

/// Traces `gc label=LABEL` in the current task, then collects (collect_garbage). Returns how
/// many tasks were collected.
std::size_t gc_point(std::string_view label);

/// Finds the pending tasks that nothing outside their own cycles can reach and collects each
/// (TaskBase::collect), in creation order. Conservative: a reference it cannot place (one held
/// by a timer, a queued callback, a sync primitive, a heap object, a frame outside the cycle)
/// keeps its target alive, so a task is only collected when CPython would collect it too.
/// What it can place: a task's reference to the future it awaits, a future's wakeup callback
/// for a task, and Future/Task handles stored in the frames of a suspended task's chain.
std::size_t collect_garbage(Loop& loop);

}  // namespace corosim
