// loop.hpp: the virtual-time event loop. One `run_once` is CPython's `BaseEventLoop._run_once`
// (SEMANTICS G1): purge cancelled timers, choose the timeout (here: jump the virtual clock),
// move due timers to the end of the ready queue, run the callbacks that were ready when the
// iteration started. Stopping and run_until_complete follow G4.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "corosim/compat.hpp"
#include "corosim/detail/callback.hpp"
#include "corosim/detail/loop_ref.hpp"
#include "corosim/diagnostics.hpp"
#include "corosim/detail/timer_heap.hpp"
#include "corosim/detail/tracked.hpp"
#include "corosim/policy.hpp"
#include "corosim/time.hpp"
#include "corosim/trace.hpp"

namespace corosim {

class Loop;
class FutureBase;
class TaskBase;
namespace detail {
struct ContextData;
class AsyncGenStateBase;
}

/// A cancellable reference to a callback scheduled with call_soon/call_later/call_at
/// (asyncio.Handle / TimerHandle). Inert once the callback ran or was purged, and once its loop
/// is destroyed (it may be kept past run(): it names the loop through a LoopRef).
class Handle {
public:
    Handle() = default;
    /// Cancels the callback if it has not run yet (G3: a timer stays in the heap).
    void cancel();
    /// True once cancel() took effect.
    bool cancelled() const;

private:
    friend class Loop;
    Handle(detail::LoopRef loop, std::uint32_t slot, std::uint32_t gen)
        : loop_(std::move(loop)), slot_(slot), gen_(gen) {}
    detail::LoopRef loop_;
    std::uint32_t slot_ = 0;
    std::uint32_t gen_ = 0;
};

/// Why run_forever / run_until_complete returned.
enum class LoopStatus : std::uint8_t {
    kStopped,   ///< stop() was called (run_until_complete: the future is done)
    kDeadlock,  ///< nothing ready, no timer, not stopping: a real loop would block forever
    kLivelock,  ///< the step or virtual-time budget ran out
    kFatal,     ///< KeyboardInterrupt/SystemExit escaped a task step mid-iteration (G7)
};

/// Construction options for a Loop.
struct LoopOptions {
    Policy* policy = nullptr;                  ///< null = FIFO (asyncio's order), no virtual call
    TraceLevel trace_level = TraceLevel::kSummary;  ///< how much of the run the Trace keeps
    std::uint64_t max_steps = 50'000'000;      ///< livelock budget: callbacks run
    Nanos max_vtime = seconds(10'000'000);     ///< livelock budget: virtual time
    Compat compat;                             ///< CPython version differences (default 3.12)
};

/// A single-threaded virtual-time event loop. Not thread-safe; one per thread at a time.
class Loop {
public:
    /// A loop at virtual time 0 with an empty root context.
    explicit Loop(LoopOptions options = {});
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    /// The loop running on this thread, or null (asyncio.get_running_loop without the raise).
    static Loop* current() noexcept;

    /// A reference that reads null once this loop is destroyed (for objects that may outlive it).
    detail::LoopRef ref() const noexcept { return detail::LoopRef(anchor_); }

    /// The CPython version differences this loop reproduces.
    const Compat& compat() const noexcept { return options_.compat; }
    /// The virtual time in nanoseconds.
    Nanos time() const noexcept { return now_; }

    /// asyncio's call_soon: runs `fn` in the next iteration, after what is already queued.
    /// `name` is how reports show the callback, e.g. "bad(1)" for `<Handle bad(1)>` (G6).
    /// As Handle.__init__ does, these three take a copy of the current context
    /// (contextvars.copy_context()) and `fn` runs in that copy.
    Handle call_soon(std::function<void()> fn, std::string name = "callback()");
    /// call_soon(fn, context=ctx): as call_soon, in the given context instead of a copy of
    /// the current one (Future.add_done_callback's queued callbacks).
    Handle call_soon_in_context(std::shared_ptr<detail::ContextData> context, std::function<void()> fn,
                                std::string name);
    /// contextvars.copy_context() as Handle.__init__ takes it: the running task's or
    /// callback's context, copied.
    std::shared_ptr<detail::ContextData> copy_current_context();
    /// A fresh id for an add_done_callback registration.
    std::uint64_t next_done_callback_id() noexcept { return ++done_callback_ids_; }
    /// asyncio's call_later: `call_at(time() + delay, fn)`.
    Handle call_later(Duration delay, std::function<void()> fn, std::string name = "callback()");
    /// asyncio's call_at: a timer in CPython's heap order (G2), even when `when` is now or past.
    Handle call_at(Nanos when, std::function<void()> fn, std::string name = "callback()");

    /// loop.set_exception_handler; an empty handler restores the default (G9).
    void set_exception_handler(ExceptionHandler handler) { handler_ = std::move(handler); }
    /// loop.get_exception_handler (empty: the default).
    const ExceptionHandler& exception_handler() const noexcept { return handler_; }
    /// loop.call_exception_handler: the custom handler, or the default one's trace line; an
    /// exception from a custom handler is reported by the default handler.
    void call_exception_handler(const ExceptionContext& context);
    /// loop.default_exception_handler: `loop.error message=... keys... exc=...`.
    void default_exception_handler(const ExceptionContext& context);

    /// loop.set_debug: in debug mode a callback or task step that takes at least
    /// slow_callback_duration of virtual time (a simulated blocking call) is reported as
    /// `loop.slow message=Executing <Task main> took 1.000 seconds`.
    void set_debug(bool enabled);
    /// loop.get_debug().
    bool debug() const noexcept { return debug_; }
    /// loop.slow_callback_duration (default 100 ms).
    void set_slow_callback_duration(Duration d) noexcept { slow_callback_duration_ = d; }
    /// A blocking call inside the current callback: the virtual clock advances without yielding.
    void advance(Nanos d);

    /// One `_run_once` iteration.
    LoopStatus run_once();
    /// Iterates until stop() (G4), a deadlock or the budget.
    LoopStatus run_forever();
    /// Runs until `fut` is done, through a done callback that calls stop() (G4).
    LoopStatus run_until_complete(FutureBase& fut);
    /// asyncio's stop(): the loop ends after the current iteration.
    void stop() noexcept { stopping_ = true; }

    /// The run's trace.
    Trace& trace() noexcept { return trace_; }
    /// The run's trace, read-only.
    const Trace& trace() const noexcept { return trace_; }
    /// Records a conformance line `text` from the current task (or `-`).
    void line(std::string_view text);
    /// Records a conformance line attributed to no task.
    void line_no_task(std::string_view text);

    /// How many "coroutine ... was never awaited" warnings and "... exception was never
    /// retrieved" reports this run produced (scenarios check their own diagnostics with these).
    std::uint64_t never_awaited_warnings() const noexcept { return never_awaited_; }
    /// The "exception was never retrieved" reports (see never_awaited_warnings).
    std::uint64_t unretrieved_reports() const noexcept { return unretrieved_; }
    /// @cond internal
    void count_never_awaited() noexcept { ++never_awaited_; }
    void count_unretrieved() noexcept { ++unretrieved_; }
    /// @endcond

    /// A fault point (FoundationDB's BUGGIFY): true when the policy explores faults and chooses
    /// to fire it, with about `percent`% chance; always false under FIFO and plain policies. The
    /// answer is a recorded choice, so it replays and shrinks (to "not fired").
    bool buggify(std::string_view site, std::uint32_t percent);

    /// A choice among `n` options asked only of a policy exploring faults or jitter (kDelay: a
    /// message delay; kFault: faults only); 0 otherwise, so FIFO and plain policies never record
    /// it and their traces stay CPython's. The answer is recorded: it replays and shrinks.
    std::uint32_t choose(ChoiceKind kind, std::uint32_t n, std::string_view site = {});

    /// The choices made at choice points, in order (the replay input).
    const std::vector<std::uint32_t>& choices() const noexcept { return choices_; }
    /// Callbacks run so far.
    std::uint64_t steps() const noexcept { return steps_; }
    /// Invariant violations recorded by check().
    const std::vector<std::string>& violations() const noexcept { return violations_; }
    /// Records an invariant violation (check() calls this).
    void add_violation(std::string message);

    /// Async generators seen by the firstiter hook and not finalized, first-iteration order
    /// (loop._asyncgens, pinned by SEMANTICS H1).
    const std::vector<detail::AsyncGenStateBase*>& asyncgens() const noexcept { return asyncgens_; }
    /// @cond internal
    void register_asyncgen(detail::AsyncGenStateBase* g) { asyncgens_.push_back(g); }
    void unregister_asyncgen(detail::AsyncGenStateBase* g) noexcept {
        std::erase(asyncgens_, g);
    }
    /// @endcond
    /// True once shutdown_asyncgens() has started (loop._asyncgens_shutdown_called): a generator
    /// first iterated after it warns ResourceWarning, and is registered all the same.
    bool asyncgens_shutdown_called() const noexcept { return asyncgens_shutdown_called_; }
    /// @cond internal
    void set_asyncgens_shutdown_called() noexcept { asyncgens_shutdown_called_ = true; }
    /// @endcond

    /// The loop's root context (contextvars): what code outside tasks and callbacks sees.
    detail::ContextData& root_context() noexcept { return *root_context_; }
    /// The root context, shared.
    const std::shared_ptr<detail::ContextData>& root_context_ptr() const noexcept { return root_context_; }
    /// The context code outside any task sees: the running user callback's (the copy taken when
    /// it was scheduled, Handle._context), else the root context.
    detail::ContextData& callback_context() noexcept { return *callback_context_ptr(); }
    /// That context, shared (what copy_current_context copies outside tasks).
    const std::shared_ptr<detail::ContextData>& callback_context_ptr() const noexcept {
        return running_context_ ? running_context_ : root_context_;
    }

    /// The task whose step is running, or null in a plain callback (G8).
    TaskBase* current_task() const noexcept { return current_task_; }
    /// Pending tasks in creation order (asyncio.all_tasks, pinned by SEMANTICS H1).
    std::vector<TaskBase*> pending_tasks() const;
    /// Reports an exception Python would pass to sys.unraisablehook ("Exception ignored in:
    /// OBJECT"), as a trace line.
    void report_unraisable(std::string_view object, std::exception_ptr exc);

    // ---- runtime internals (used by Future/Task/sleep; not for scenarios) ----
    /// Queues an internal callback (call_soon without a handle).
    void schedule(detail::Callback cb) { ready_push(cb); }
    /// Adds an internal timer; returns a handle that can cancel it.
    Handle add_timer(Nanos when, detail::Callback cb);
    /// Next per-loop future id.
    std::uint64_t next_future_id() noexcept { return ++future_ids_; }
    /// Next per-loop task id (SEMANTICS B2, H3).
    std::uint32_t next_task_id() noexcept { return ++task_ids_; }
    /// The next `Task-N` number (the main task and hand drivers take none).
    std::uint64_t next_task_number() noexcept { return ++task_numbers_; }
    /// @cond internal
    void set_current_task(TaskBase* t) noexcept { current_task_ = t; }
    /// @endcond
    /// The driver of the coroutine being driven by hand right now (Coro::send), or null: the
    /// chain whose cleanup blocks are running, where current_task() stays the caller.
    TaskBase* driving() const noexcept { return driving_; }
    /// @cond internal
    void set_driving(TaskBase* t) noexcept { driving_ = t; }
    void link_task(TaskBase* t) noexcept;
    void unlink_task(TaskBase* t) noexcept;
    /// @endcond
    /// Links a Future/Task handle into the list a collection inspects (gc_point).
    void track_handle(detail::TrackedNode& node) noexcept { node.link_after(tracked_); }
    /// The sentinel of that circular list.
    const detail::TrackedNode& tracked_handles() const noexcept { return tracked_; }
    /// Makes this the thread's running loop (or clears it); returns the previous one.
    static Loop* set_current(Loop* loop) noexcept;
    /// Drops every queued callback and timer without running them (end of a run).
    void discard_all();
    /// Called by a task whose step ended with KeyboardInterrupt/SystemExit: the iteration stops
    /// after this callback, leaving the rest queued, and run_until_complete returns kFatal (G7).
    void raise_fatal(std::exception_ptr exc) { fatal_ = std::move(exc); }
    /// Keeps a task whose step raised KeyboardInterrupt/SystemExit alive until the run's final
    /// collection: in CPython that exception's traceback holds the step's frame, which holds the
    /// task, a cycle only the collector frees (after `gc label=end`), so an unretrieved
    /// exception is reported there.
    void keep_until_end(FutureBase* f);
    /// Drops what keep_until_end kept, in order (run() does it after `gc label=end`).
    void release_kept() noexcept;
    /// The exception that ended the last kFatal run, taken.
    std::exception_ptr take_fatal() noexcept { return std::exchange(fatal_, nullptr); }
    /// True when nothing is queued and no timer is pending.
    bool idle() const noexcept { return ready_count_ == 0 && timers_.empty(); }

private:
    friend class Handle;
    // What every queued callback and timer needs, kept small and trivially copyable: the
    // runtime's own callbacks (sleep's timers, task steps) never touch the user part.
    struct HandleRec {
        detail::Callback cb;       // internal callback (empty for a user callback)
        std::uint64_t seq = 0;     // timer sequence number, for the full trace
        Nanos when = 0;            // a timer's due time (TimerHandle.when())
        std::uint32_t gen = 0;
        std::uint32_t user = 0;    // 1 + the index of its UserHandleRec, 0 for none
        bool timer = false;        // made by call_at/add_timer: a TimerHandle
        bool cancelled = false;
        bool scheduled = false;    // in the timer heap (TimerHandle._scheduled)
        bool live = false;
        bool internal = false;     // a runtime timer (sleep's): runs no scenario code
    };
    // A user callback's own parts (call_soon/call_later/call_at), in slots of their own.
    struct UserHandleRec {
        std::function<void()> fn;
        std::shared_ptr<detail::ContextData> context;  // Handle._context
        std::string name;          // how reports show it
    };

    UserHandleRec& attach_user(std::uint32_t slot);
    void release_user(std::uint32_t index) noexcept;
    std::uint32_t alloc_handle();
    void free_handle(std::uint32_t slot);
    void cancel_handle(std::uint32_t slot, std::uint32_t gen);
    static void run_handle(void* loop, void* slot, bool run);

    void ready_push(detail::Callback cb);
    std::uint32_t ask(const ChoicePoint& point);
    Nanos jitter_for_timer();
    static std::uint32_t ready_task_of(const void* ctx, std::uint32_t i);
    static std::uint64_t ready_internal(const void* ctx, std::uint32_t i);
    std::string describe(const detail::Callback& cb) const;
    detail::Callback ready_take(std::size_t index);
    void purge_cancelled_timers();

    LoopOptions options_;
    detail::LoopAnchor* anchor_;  // shared with LoopRefs; cleared, not freed, by ~Loop
    Nanos now_ = 0;
    bool stopping_ = false;
    // Ready queue: a ring buffer of trivially copyable callbacks (DESIGN 8).
    std::vector<detail::Callback> ready_;
    std::size_t ready_head_ = 0;
    std::size_t ready_count_ = 0;
    detail::TimerHeap timers_;
    std::size_t timer_cancelled_count_ = 0;
    std::vector<HandleRec> handles_;
    std::vector<std::uint32_t> free_handles_;
    std::vector<UserHandleRec> user_handles_;
    std::vector<std::uint32_t> free_user_handles_;
    std::uint64_t done_callback_ids_ = 0;
    std::uint64_t timer_seq_ = 0;

    Trace trace_;
    std::vector<std::uint32_t> choices_;
    std::vector<std::string> violations_;
    std::uint64_t steps_ = 0;
    std::uint64_t future_ids_ = 0;
    std::uint32_t task_ids_ = 0;
    std::uint64_t task_numbers_ = 0;
    TaskBase* current_task_ = nullptr;
    std::exception_ptr fatal_;
    std::vector<FutureBase*> kept_;  // keep_until_end's references
    TaskBase* driving_ = nullptr;
    ExceptionHandler handler_;
    std::shared_ptr<detail::ContextData> root_context_;
    std::shared_ptr<detail::ContextData> running_context_;  // the running user callback's, or null
    std::vector<detail::AsyncGenStateBase*> asyncgens_;
    std::uint64_t never_awaited_ = 0;
    std::uint64_t unretrieved_ = 0;
    bool debug_ = false;
    bool asyncgens_shutdown_called_ = false;
    Nanos slow_callback_duration_ = millis(100);
    std::string running_handle_;  // what the running callback's slow report calls it
    TaskBase* tasks_head_ = nullptr;  // pending tasks, creation order
    TaskBase* tasks_tail_ = nullptr;
    detail::TrackedNode tracked_;  // sentinel of the handle list; handles outliving the loop are detached
};

/// The running loop; raises RuntimeError('no running event loop') outside a run.
Loop& running_loop();

/// The running loop's buggify(site, percent): a fault point in scenario code, e.g.
/// `if (buggify("drop_reply", 10)) co_return;`. Never fires under FIFO.
bool buggify(std::string_view site, std::uint32_t percent);

/// A simulated blocking call (time.sleep in a coroutine): advances the running loop's virtual
/// clock by `d` without yielding; timers falling due meanwhile fire late.
void blocking(Duration d);

}  // namespace corosim
