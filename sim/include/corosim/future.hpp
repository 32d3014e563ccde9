// future.hpp: Future<T>, asyncio.Future's states and rules (SEMANTICS B5, B10): pending,
// finished or cancelled; done callbacks go through call_soon in registration order;
// `co_await fut` returns at once when it is done and otherwise suspends the task (A9).
// States are reference counted without atomics: a loop and everything in it live on one thread.
#pragma once

#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "corosim/cancel_message.hpp"
#include "corosim/detail/callback.hpp"
#include "corosim/detail/frame_pool.hpp"
#include "corosim/exceptions.hpp"
#include "corosim/loop.hpp"
#include "corosim/repr.hpp"

namespace corosim {

class TaskBase;

namespace detail {
/// The file a future was created in, taken implicitly from `__builtin_FILE()` so that a stray
/// string (`Future<std::string> f = "x"`) is not a future.
struct SourceFile {
    /// Implicit, so a default argument `__builtin_FILE()` converts; explicit use is pointless.
    SourceFile(const char* f) noexcept : file(f) {}  // NOLINT(google-explicit-constructor)
    const char* file;  ///< The path as the compiler saw it.
};
}  // namespace detail

/// Identifies one add_done_callback registration, for remove_done_callback.
using DoneCallbackId = std::uint64_t;

namespace detail {
/// Names an internal done callback the way CPython's repr names the function it registers in
/// its place (`&TaskBase::wakeup_cb` is "Task.task_wakeup"), for `cb=[...]` in reprs. Safe to
/// call from any thread; returns true so a `static const bool` can call it once.
bool name_callback(void (*fn)(void*, void*, bool), const char* python_name);
}  // namespace detail

/// The untyped part of every future and task: state, exception, callbacks, refcount.
class FutureBase {
public:
    /// asyncio's _state: PENDING, FINISHED (result or exception) or CANCELLED.
    enum class State : std::uint8_t { kPending, kFinished, kCancelled };

    /// A pending future of `loop`, with the loop's next future id.
    explicit FutureBase(Loop& loop) : loop_(&loop), id_(loop.next_future_id()) {}
    virtual ~FutureBase();
    FutureBase(const FutureBase&) = delete;
    FutureBase& operator=(const FutureBase&) = delete;

    /// Takes a reference (the Future and Task handles hold them; no atomics, see above).
    void add_ref() noexcept { ++refs_; }
    /// Drops a reference; the last one deletes the state.
    void release() noexcept {
        if (--refs_ == 0) delete this;
    }
    /// @cond internal
    // Futures and tasks come from the same per-thread size-class pool as coroutine frames:
    // one is created per sleep and per task, so steady-state runs allocate nothing for them.
    static void* operator new(std::size_t size) { return detail::frame_alloc(size); }
    static void operator delete(void* p, std::size_t size) noexcept { detail::frame_free(p, size); }
    /// @endcond

    /// True once finished or cancelled.
    bool done() const noexcept { return state_ != State::kPending; }
    /// True when cancelled.
    bool cancelled() const noexcept { return state_ == State::kCancelled; }
    /// Per-loop id, used in traces instead of an address.
    std::uint64_t id() const noexcept { return id_; }
    /// The loop this future belongs to.
    Loop& loop() const noexcept { return *loop_; }
    /// False once its loop is gone (a handle kept after run() returned): such a future can
    /// still be read and released, nothing else.
    bool has_loop() const noexcept { return loop_ != nullptr; }
    /// Called by ~Loop for every future a handle still holds.
    void orphan() noexcept { loop_ = nullptr; }

    /// asyncio's cancel(msg): false when already done; Task overrides it (B6). `msg` is any
    /// value (CancelMessage): `cancel(42)` makes the CancelledError `CancelledError(42)`.
    virtual bool cancel(CancelMessage msg = {}) { return future_cancel(std::move(msg)); }
    /// set_exception; InvalidStateError when already done.
    void set_exception(std::exception_ptr e);
    /// exception(): the stored exception (null when finished with a result); raises
    /// CancelledError when cancelled and InvalidStateError when pending.
    std::exception_ptr exception();

    /// `_cancel_message`: the message of the cancel() that cancelled it (None if none). A task
    /// that ended cancelled has None here, as CPython's `__step` cancels it without one; its
    /// CancelledError keeps the message.
    const CancelMessage& cancel_message() const noexcept { return cancel_message_; }

    /// Where a user's `Future<T>()` made it (null for the runtime's own futures): a deadlock
    /// message says what a task waits on as "a future created at pool.cpp:12".
    const char* created_file() const noexcept { return created_file_; }
    /// The line of created_file().
    std::uint32_t created_line() const noexcept { return created_line_; }
    /// Records where it was made.
    void set_created_at(const char* file, std::uint32_t line) noexcept {
        created_file_ = file;
        created_line_ = line;
    }

    /// References held to this state (the cycle collector compares them with what it can place).
    std::uint32_t ref_count() const noexcept { return refs_; }
    /// Calls `f(cb)` for each done callback not yet scheduled, in registration order.
    template <class F>
    void for_each_callback(F&& f) const {
        if (first_cb_.fn) f(first_cb_);
        for (const auto& cb : more_cbs_) f(cb);
    }

    /// Registers an internal done callback; scheduled at once (call_soon) if already done (B5).
    void add_callback(detail::Callback cb);
    /// add_done_callback's untyped part: `fn(*this)` is queued as a loop callback named
    /// `name(repr(*this))`, in `context`, when this completes (at once if done). Returns its id.
    DoneCallbackId add_user_callback(std::function<void(FutureBase&)> fn, std::string (*repr)(FutureBase&),
                                     std::string name);
    /// remove_done_callback: drops the pending registrations with id `id`; how many were dropped.
    std::size_t remove_user_callback(DoneCallbackId id) noexcept;
    /// Drops the pending callbacks whose first operand is `a` (remove_done_callback).
    void remove_callbacks_for(void* a) noexcept;

    /// repr(fut) as CPython prints it, without addresses or source locations (what refloop's
    /// full_repr traces): `<Future pending cb=[Task.task_wakeup()]>`, `<Future cancelled>`,
    /// `<Future finished result=7>`; a task's is Task::full_repr's. Reads nothing as retrieved.
    virtual std::string full_repr() const;

    /// Throws what result() would throw (CancelledError, the exception, InvalidStateError).
    void check_result();
    /// The exception a waiter wakes up with, or null for a result; `is_cancel` tells whether it
    /// is a CancelledError without rethrowing to find out.
    std::exception_ptr wake_exception(bool& is_cancel);

protected:
    /// base_futures._future_repr_info: the state, then `result=`/`exception=` once finished,
    /// then `cb=[...]` while done callbacks are pending (three or more: `a(), <N more>, z()`).
    std::vector<std::string> repr_info() const;
    /// The result as a repr shows it (reprlib.repr); only called once finished with a result.
    virtual std::string result_repr() const { return "None"; }
    /// The Python class name a repr starts with.
    virtual const char* py_type_name() const { return "Future"; }

    /// Future.__del__'s report (B11) when an exception was never retrieved; `kind` is "Task"
    /// or "Future", `self` how the report names the object. Reports at most once.
    void report_unretrieved(const char* kind, const std::string& self) noexcept;
    /// Future.cancel itself, bypassing a Task's override.
    bool future_cancel(CancelMessage msg);
    /// Marks finished and schedules the callbacks.
    void finish_with_result();
    /// Future._make_cancelled_error: the saved CancelledError first, then fresh ones (B10).
    std::exception_ptr make_cancelled_error();
    /// Queues every pending done callback (schedule_callback), in registration order.
    void schedule_callbacks();
    /// Queues one done callback: an internal one as is, a user one as its own loop handle.
    void schedule_callback(const detail::Callback& cb);
    /// Drops the pending done callbacks without running them (a task that can never finish).
    void discard_callbacks() noexcept;

    /// @cond internal
    Loop* loop_;
    std::uint64_t id_;
    const char* created_file_ = nullptr;  ///< See created_file().
    std::uint32_t refs_ = 0;
    std::uint32_t created_line_ = 0;  ///< See created_line().
    State state_ = State::kPending;
    bool exc_is_cancel_ = false;
    bool log_traceback_ = false;
    std::exception_ptr exc_;
    std::exception_ptr cancelled_exc_;
    CancelMessage cancel_message_;
    detail::Callback first_cb_;
    std::vector<detail::Callback> more_cbs_;
    /// @endcond
};

namespace detail {

/// Intrusive owning pointer to a future state.
template <class S>
class Ref {
public:
    Ref() = default;
    explicit Ref(S* p) noexcept : p_(p) {
        if (p_) p_->add_ref();
    }
    Ref(const Ref& o) noexcept : Ref(o.p_) {}
    Ref(Ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    Ref& operator=(Ref o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    ~Ref() {
        if (p_) p_->release();
    }
    S* get() const noexcept { return p_; }
    S* operator->() const noexcept { return p_; }
    S& operator*() const noexcept { return *p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }

private:
    S* p_ = nullptr;
};

/// The reference a Future/Task handle holds: a Ref that stays linked into its loop's handle
/// list while it points somewhere, so a collection can find the ones held by coroutine frames.
template <class S>
class TrackedRef {
public:
    TrackedRef() = default;
    explicit TrackedRef(S* p) noexcept : ref_(p) { track(); }
    explicit TrackedRef(Ref<S> r) noexcept : ref_(std::move(r)) { track(); }
    TrackedRef(const TrackedRef& o) noexcept : ref_(o.ref_) { track(); }
    TrackedRef(TrackedRef&& o) noexcept : ref_(std::move(o.ref_)) {
        o.node_.unlink();
        track();
    }
    TrackedRef& operator=(const TrackedRef& o) noexcept {
        if (this != &o) {
            node_.unlink();
            ref_ = o.ref_;
            track();
        }
        return *this;
    }
    TrackedRef& operator=(TrackedRef&& o) noexcept {
        if (this != &o) {
            node_.unlink();
            ref_ = std::move(o.ref_);
            o.node_.unlink();
            track();
        }
        return *this;
    }
    ~TrackedRef() { node_.unlink(); }

    S* get() const noexcept { return ref_.get(); }
    S* operator->() const noexcept { return ref_.get(); }
    S& operator*() const noexcept { return *ref_; }
    explicit operator bool() const noexcept { return static_cast<bool>(ref_); }

private:
    void track() noexcept {
        node_.target = ref_.get();
        if (node_.target != nullptr && node_.target->has_loop()) node_.target->loop().track_handle(node_);
    }
    Ref<S> ref_;
    TrackedNode node_;
};

/// Where a future or task keeps its result.
template <class T>
class ValueSlot {
protected:
    /// The value's reprlib.repr (`...` for a type without a Python repr), for a done repr.
    std::string value_repr() const {
        if constexpr (detail::has_py_repr<T>()) {
            return reprlib_repr(*value_);
        } else {
            return "...";
        }
    }
    std::optional<T> value_;
};
template <>
class ValueSlot<void> {
protected:
    /// A coroutine that returns nothing has None as its result.
    std::string value_repr() const { return "None"; }
};

/// Suspends the awaiting task on a future-like state `S` (Future or Task).
template <class S>
class FutureAwaiter {
public:
    explicit FutureAwaiter(S* state) noexcept : state_(state) {}
    bool await_ready() const noexcept { return state_->done(); }
    template <class P>
    void await_suspend(std::coroutine_handle<P> caller) noexcept;
    decltype(auto) await_resume();

private:
    S* state_;
    TaskBase* task_ = nullptr;
};

}  // namespace detail

/// The shared state of a Future<T>.
template <class T>
class FutureState : public FutureBase, public detail::ValueSlot<T> {
public:
    /// A pending future of a loop (FutureBase's constructor).
    using FutureBase::FutureBase;
    /// The result type (`void` for Future<void>).
    using value_type = T;

    /// set_result; InvalidStateError when already done.
    template <class U = T>
        requires(!std::is_void_v<T>)
    void set_result(U&& v) {
        if (done()) throw InvalidStateError("invalid state");
        this->value_.emplace(std::forward<U>(v));
        finish_with_result();
    }
    /// set_result(None) for a Future<void>; InvalidStateError when already done.
    void set_result()
        requires std::is_void_v<T>
    {
        if (done()) throw InvalidStateError("invalid state");
        finish_with_result();
    }
    /// result(): the value, or raises (B10).
    decltype(auto) result() {
        check_result();
        if constexpr (!std::is_void_v<T>) return static_cast<const T&>(*this->value_);
    }

protected:
    /// The value's reprlib.repr (`...` for a type without a Python repr).
    std::string result_repr() const override { return this->value_repr(); }
};

namespace detail {
/// Future.__repr__ without the address: `<Future pending>`, `<Future cancelled>`, `<Future
/// finished result=7>`, `<Future finished exception=ValueError('x')>` (a result with no Python
/// repr shows as `...`).
template <class S>
std::string future_repr(FutureBase& base) {
    auto& f = static_cast<S&>(base);
    if (!f.done()) return "<Future pending>";
    if (f.cancelled()) return "<Future cancelled>";
    if (std::exception_ptr e = f.exception()) return "<Future finished exception=" + exception_repr(e) + ">";
    using T = typename S::value_type;
    if constexpr (std::is_void_v<T>) {
        return "<Future finished result=None>";
    } else if constexpr (has_py_repr<T>()) {
        return "<Future finished result=" + py_repr(f.result()) + ">";
    } else {
        return "<Future finished result=...>";
    }
}
}  // namespace detail

/// asyncio.Future: a handle to a shared FutureState<T>.
template <class T = void>
class [[nodiscard]] Future {
public:
    /// The shared state the handle refers to.
    using State = FutureState<T>;
    /// A new pending future on the running loop (loop.create_future()). The arguments are
    /// where it is created, filled in at the call: leave them out.
    Future(detail::SourceFile file = __builtin_FILE(), std::uint32_t line = __builtin_LINE());
    /// A handle to an existing state (another handle's `state()`).
    explicit Future(detail::Ref<State> s) : s_(std::move(s)) {}

    /// fut.done(): finished with a result or an exception, or cancelled.
    bool done() const noexcept { return s_->done(); }
    /// fut.cancelled().
    bool cancelled() const noexcept { return s_->cancelled(); }
    /// fut.cancel(msg): false when already done; queues the done callbacks. `msg` may be any
    /// value py_repr shows (`cancel(42)`: CancelledError(42)).
    bool cancel(CancelMessage msg = {}) { return s_->cancel(std::move(msg)); }
    /// fut.set_result(v) (no argument for Future<void>); InvalidStateError when already done.
    template <class... U>
    void set_result(U&&... v) { s_->set_result(std::forward<U>(v)...); }
    /// fut.set_exception(e); InvalidStateError when already done.
    void set_exception(std::exception_ptr e) { s_->set_exception(std::move(e)); }
    /// fut.exception(): null for a result; raises CancelledError or InvalidStateError.
    std::exception_ptr exception() { return s_->exception(); }
    /// fut.result(): the value, or raises the exception, CancelledError or InvalidStateError.
    decltype(auto) result() { return s_->result(); }
    /// repr(fut) as CPython prints it, without addresses or source locations (FutureBase::full_repr).
    std::string full_repr() const { return s_->full_repr(); }
    /// Per-loop id, as traces show it (`future#N`).
    std::uint64_t id() const noexcept { return s_->id(); }
    /// The shared state (for APIs taking a FutureBase).
    State* state() const noexcept { return s_.get(); }

    /// fut.add_done_callback(fn): once this is done, `fn(fut)` runs as its own loop callback
    /// (call_soon, in registration order), in a copy of the context current now. `name` is how
    /// reports show it: an exception in `fn` is "Exception in callback bad(<Future cancelled>)"
    /// for name "bad". Returns the id remove_done_callback takes.
    DoneCallbackId add_done_callback(std::function<void(Future)> fn, std::string name = "callback") {
        return s_->add_user_callback(
            [fn = std::move(fn)](FutureBase& f) { fn(Future(detail::Ref<State>(static_cast<State*>(&f)))); },
            &detail::future_repr<State>, std::move(name));
    }
    /// fut.remove_done_callback: drops registration `id` if it has not been queued yet; returns
    /// how many registrations it dropped (0 or 1). Python removes every registration of an equal
    /// function; here each registration has its own id.
    std::size_t remove_done_callback(DoneCallbackId id) noexcept { return s_->remove_user_callback(id); }

    /// Identity (Python's `is`): both handles refer to the same future.
    friend bool operator==(const Future& a, const Future& b) noexcept { return a.s_.get() == b.s_.get(); }

    /// `await fut`: suspends the task until done, then gives result() (B4).
    detail::FutureAwaiter<State> operator co_await() const noexcept { return detail::FutureAwaiter<State>(s_.get()); }

private:
    detail::TrackedRef<State> s_;
};

}  // namespace corosim
