// compat.hpp: the CPython behaviours that differ between the versions corosim reproduces, one
// named switch per difference (the version tags of SEMANTICS; docs/semantics.md, "Python
// versions"). A run takes them from LoopOptions::compat, usually as
// Compat::for_version(PythonVersion::k3_11); the defaults are CPython 3.12's.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace corosim {

/// The CPython versions whose asyncio corosim reproduces (3.12 is the default).
enum class PythonVersion : std::uint8_t {
    k3_11,  ///< CPython 3.11 (the goldens' 3.11.7)
    k3_12,  ///< CPython 3.12 (3.12.1), the default
    k3_13,  ///< CPython 3.13 (3.13.0)
};

/// "3.11", "3.12" or "3.13".
constexpr const char* python_version_name(PythonVersion v) noexcept {
    switch (v) {
        case PythonVersion::k3_11: return "3.11";
        case PythonVersion::k3_12: return "3.12";
        case PythonVersion::k3_13: return "3.13";
    }
    return "3.12";
}

/// The version named "3.11", "3.12" or "3.13"; none for anything else.
constexpr std::optional<PythonVersion> parse_python_version(std::string_view text) noexcept {
    if (text == "3.11") return PythonVersion::k3_11;
    if (text == "3.12") return PythonVersion::k3_12;
    if (text == "3.13") return PythonVersion::k3_13;
    return std::nullopt;
}

/// One switch per documented difference between CPython 3.11, 3.12 and 3.13.
struct Compat {
    /// C7 (3.11): wait_for with a positive timeout wraps a coroutine in a new task
    /// (ensure_future, so it consumes a Task-N number and its code runs in that task) and waits
    /// for it through a waiter future released by the task's done callback or a call_later
    /// timer; on the timeout it cancels the task and waits for it (_cancel_and_wait). 3.12 made
    /// it `async with timeout(t): return await aw`, inline in the caller.
    /// Source: 3.11 Lib/asyncio/tasks.py wait_for.
    bool wait_for_wraps_in_task = false;

    /// F6 (3.11, 3.12): when an exception thrown into a running aclose() awaitable (the
    /// awaiting task was cancelled while the generator's finally awaited) ends the generator,
    /// it stays marked running (ag_running_async; Objects/genobject.c async_gen_athrow_throw
    /// never clears it on that path), so every later anext()/asend() raises RuntimeError
    /// ('anext(): asynchronous generator is already running'). 3.13 clears it:
    /// StopAsyncIteration.
    bool aclose_throw_keeps_running = true;

    /// G6 (3.13): outside debug mode a callback's repr omits its arguments: "Exception in
    /// callback bad()" and `<Handle bad()>` where 3.12 shows `bad(1)`.
    /// Source: 3.13 Lib/asyncio/format_helpers.py _format_args_and_kwargs (debug=False).
    bool handle_repr_hides_args = false;

    /// D2 (3.13): TaskGroup.create_task closes the coroutine it refuses (not entered, finished,
    /// shutting down), so it never warns "was never awaited"; 3.12 leaves it to be freed with
    /// the RuntimeError's traceback, which warns. Source: 3.13 Lib/asyncio/taskgroups.py
    /// create_task (coro.close()).
    bool taskgroup_refusal_closes_coro = false;

    /// B7 (3.13): Task.uncancel() bringing the count to 0 also clears a requested cancel not
    /// delivered yet (`_must_cancel = False`): a task that cancelled itself, or was cancelled
    /// before its first step, and was uncancelled runs on; 3.11/3.12 still deliver it.
    /// Source: 3.13 Lib/asyncio/tasks.py Task.uncancel (and _asynciomodule.c).
    bool uncancel_clears_must_cancel = false;

    /// C9, D8 (3.13): Timeout.__aexit__ and TaskGroup.__aexit__ take a CancelledError
    /// *subclass* for a cancellation (`issubclass`); 3.11/3.12 test `exc_type is
    /// CancelledError`, so a subclass leaves an expired timeout unconverted and a TaskGroup
    /// wraps it in a BaseExceptionGroup. Source: 3.13 Lib/asyncio/timeouts.py, taskgroups.py.
    bool cancel_subclass_is_cancel = false;

    /// C9 (3.13): when an exception other than a cancellation leaves an expired timeout, a
    /// TimeoutError (cause and context: the CancelledError) is inserted in front of the first
    /// CancelledError of its `__context__` chain, and of each member's chain for a group.
    /// Source: 3.13 Lib/asyncio/timeouts.py `_insert_timeout_error`.
    bool timeout_inserts_timeout_error = false;

    /// D8 (3.13): TaskGroup.__aexit__ calls the parent's uncancel() (for the cancel it
    /// requested when a child failed) after waiting for the children; 3.11/3.12 call it on
    /// entry, before a child fails late, so that cancel request is never taken back.
    /// Source: 3.13 Lib/asyncio/taskgroups.py __aexit__.
    bool taskgroup_uncancels_after_wait = false;

    /// D8 (3.13): a TaskGroup ending with errors while its parent is being cancelled
    /// (cancelling() > 0) uncancels and re-cancels the parent, so the outside cancel is
    /// delivered at the parent's next await instead of being swallowed by the
    /// ExceptionGroup. Source: 3.13 Lib/asyncio/taskgroups.py __aexit__.
    bool taskgroup_recancels_parent = false;

    /// B16 (3.13): as_completed() is an _AsCompletedIterator that registers its done callbacks
    /// and starts its timeout when called; 3.11/3.12's is a generator that does so at its first
    /// step (the first next()). Its callbacks and coroutines are named after the class.
    /// Source: 3.13 Lib/asyncio/tasks.py _AsCompletedIterator; 3.12 as_completed.
    bool as_completed_eager = false;

    /// The switches of CPython `v`.
    static constexpr Compat for_version(PythonVersion v) noexcept {
        Compat c;
        c.wait_for_wraps_in_task = v == PythonVersion::k3_11;
        c.aclose_throw_keeps_running = v != PythonVersion::k3_13;
        c.handle_repr_hides_args = v == PythonVersion::k3_13;
        c.taskgroup_refusal_closes_coro = v == PythonVersion::k3_13;
        c.uncancel_clears_must_cancel = v == PythonVersion::k3_13;
        c.cancel_subclass_is_cancel = v == PythonVersion::k3_13;
        c.as_completed_eager = v == PythonVersion::k3_13;
        c.timeout_inserts_timeout_error = v == PythonVersion::k3_13;
        c.taskgroup_uncancels_after_wait = v == PythonVersion::k3_13;
        c.taskgroup_recancels_parent = v == PythonVersion::k3_13;
        return c;
    }
};

}  // namespace corosim
