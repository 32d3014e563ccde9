// bugbench_waitfor.cpp: bugbench ports of two historical asyncio.wait_for bugs, both about an
// outer cancellation that lands while the inner task has just finished. wait_for is written
// here as the named release's Lib/asyncio/tasks.py had it (the inner coroutine wrapped in a
// task, a waiter future released by the inner's done callback or the timeout).
#include <string>
#include <vector>

#include "bugbench_util.hpp"

namespace corosim::scenarios {

namespace {

using bugbench::bb;
using bugbench::cancel_at;
using bugbench::join;
using bugbench::TaskBox;

// k38 (3.8): when the outer task is cancelled, wait_for cancels the inner and re-raises, even
//   when the inner has already finished: its result (say, an acquired lock) is dropped.
//   bpo-37658, fixed by python/cpython#21894 (Elvis Pranskevichus, 2020, in 3.9): return the
//   inner's result when it is done.
// k39 (3.9-3.11): that fix returns the result and so swallows the outer cancellation: the task
//   goes on as if cancel() had not been called. bpo-42130 / gh-86296, fixed in 3.12 by
//   python/cpython#98518 (Kumar Aditya, 2022), which rebuilt wait_for on asyncio.timeout() (the
//   wait_for corosim itself ports, used by that twin).
enum class WaitForVersion { k38, k39 };

// functools.partial(_release_waiter, waiter) as a done callback: `a` holds a reference.
void release_waiter_cb(void* waiter, void*, bool run) {
    auto* w = static_cast<FutureState<void>*>(waiter);
    if (run && !w->done()) w->set_result();
    w->release();
}

template <class T>
void add_release_waiter(const Task<T>& fut, const Future<void>& waiter) {
    waiter.state()->add_ref();
    fut.state()->add_callback({&release_waiter_cb, waiter.state(), nullptr});
}

// tasks._cancel_and_wait: cancel the inner and wait until it is done, without awaiting it
// directly (so that this wait stays cancellable).
template <class T>
Coro<void> cancel_and_wait(Task<T> fut) {
    Future<void> waiter;
    add_release_waiter(fut, waiter);
    std::exception_ptr failed;
    try {
        fut.cancel();
        co_await waiter;
    } catch (...) {
        failed = std::current_exception();
    }
    fut.state()->remove_callbacks_for(waiter.state());
    if (failed) std::rethrow_exception(failed);
}

template <class T>
Coro<T> ported_wait_for(Task<T> fut, std::int64_t timeout_ms, WaitForVersion v) {
    Future<void> waiter;
    Handle timeout_handle = running_loop().call_later(
        millis(timeout_ms),
        [w = waiter]() mutable {
            if (!w.done()) w.set_result();
        },
        "_release_waiter()");
    add_release_waiter(fut, waiter);
    std::exception_ptr cancelled;
    try {
        co_await waiter;
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    if (cancelled) {
        if (v == WaitForVersion::k39 && fut.done()) {
            timeout_handle.cancel();
            co_return fut.result();  // bpo-37658's fix, and bpo-42130's bug
        }
        fut.state()->remove_callbacks_for(waiter.state());
        std::exception_ptr inner_failed;
        if (v == WaitForVersion::k38) {
            fut.cancel();  // a no-op when the inner is done: its result is dropped
        } else {
            try {
                co_await cancel_and_wait(fut);
            } catch (...) {
                inner_failed = std::current_exception();
            }
        }
        timeout_handle.cancel();
        std::rethrow_exception(inner_failed ? inner_failed : cancelled);
    }
    timeout_handle.cancel();
    if (fut.done()) co_return fut.result();
    fut.state()->remove_callbacks_for(waiter.state());
    co_await cancel_and_wait(fut);
    throw TimeoutError();
}

// ---- bpo-37658: wait_for(lock.acquire()) cancelled as the acquire succeeds leaks the lock ----

Coro<void> hold_lock(Lock lock, std::int64_t hold_ms) {
    co_await lock.acquire();
    co_await sleep(millis(hold_ms));
    lock.release();
}

Coro<void> acquire_with_timeout(Lock lock, WaitForVersion v) {
    co_await ported_wait_for(create_task(lock.acquire()), 1000, v);
    std::exception_ptr failed;
    try {
        co_await sleep(millis(1));
    } catch (...) {
        failed = std::current_exception();
    }
    lock.release();
    if (failed) std::rethrow_exception(failed);
}

// A holder releases at hold_ms; a task waits for the lock through wait_for and is cancelled at
// cancel_ms (the canceller is created first: on a tie FIFO cancels the waiter before the
// inner acquire runs, and the inner is cancelled cleanly).
Coro<void> waitfor_lock_leak(Context c, WaitForVersion v) {
    Lock lock;
    auto victim = std::make_shared<Task<void>>();
    Task<void> k = create_task(cancel_at(c.get("cancel_ms"), victim));
    Task<void> h = create_task(hold_lock(lock, c.get("hold_ms")));
    *victim = create_task(acquire_with_timeout(lock, v));
    co_await join(k);
    co_await join(h);
    co_await join(*victim);
    co_await sleep(millis(5));
    check(!lock.locked(), "the lock is free once every user is done");
}

// ---- bpo-42130: wait_for swallows a cancellation that lands as the inner finishes ----

Coro<std::int64_t> inner_work(std::int64_t work_ms) {
    co_await sleep(millis(work_ms));
    co_return 7;
}

struct Verdict {
    bool cancel_accepted = false;
};

Coro<void> outer_work(std::int64_t work_ms, bool fixed) {
    Task<std::int64_t> inner = create_task(inner_work(work_ms));
    const std::int64_t r = fixed ? co_await wait_for(inner, millis(1000))
                                 : co_await ported_wait_for(inner, 1000, WaitForVersion::k39);
    trace("inner.result", {{"value", r}});
    co_await sleep(millis(50));  // the rest of the job, which a cancel must stop
}

Coro<void> cancel_outer(std::int64_t at, TaskBox victim, std::shared_ptr<Verdict> verdict) {
    co_await sleep(millis(at));
    verdict->cancel_accepted = victim->cancel();
}

// A task waits for an inner task finishing at work_ms and is cancelled at cancel_ms.
Coro<void> waitfor_swallowed_cancel(Context c, bool fixed) {
    auto victim = std::make_shared<Task<void>>();
    auto verdict = std::make_shared<Verdict>();
    Task<void> k = create_task(cancel_outer(c.get("cancel_ms"), victim, verdict));
    *victim = create_task(outer_work(c.get("work_ms"), fixed));
    co_await join(k);
    co_await join(*victim);
    check(!verdict->cancel_accepted || victim->cancelled(), "a task whose cancel() returned True ends cancelled");
}

}  // namespace

void register_bugbench_waitfor(Registry& reg) {
    const std::vector<ParamSpec> leak_params = {{"hold_ms", 1, 5, 3, "when the holder releases"},
                                                {"cancel_ms", 0, 5, 1, "when the waiting task is cancelled"}};
    reg.add(bb("bugbench_bpo37658_wait_for", "bpo-37658 (3.8 wait_for): cancelled as its inner acquire() succeeds, wait_for drops the result and the lock leaks",
               leak_params, [](const Context& c) { return waitfor_lock_leak(c, WaitForVersion::k38); }, true));
    reg.add(bb("bugbench_bpo37658_wait_for_fixed", "bpo-37658: the same race on the fixed wait_for (3.9)", leak_params,
               [](const Context& c) { return waitfor_lock_leak(c, WaitForVersion::k39); }, false));

    const std::vector<ParamSpec> swallow_params = {{"work_ms", 1, 20, 5, "when the inner task finishes"},
                                                   {"cancel_ms", 0, 20, 2, "when the outer task is cancelled"}};
    reg.add(bb("bugbench_bpo42130_wait_for", "bpo-42130/gh-86296 (3.9-3.11 wait_for): a cancel landing as the inner finishes is swallowed",
               swallow_params, [](const Context& c) { return waitfor_swallowed_cancel(c, false); }, true));
    reg.add(bb("bugbench_bpo42130_wait_for_fixed", "bpo-42130: the same race on the fixed wait_for (3.12, on asyncio.timeout)",
               swallow_params, [](const Context& c) { return waitfor_swallowed_cancel(c, true); }, false));
}

}  // namespace corosim::scenarios
