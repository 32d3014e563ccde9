// coro.hpp: Coro<T>, the coroutine object (SEMANTICS A1-A9). Lazy: calling a coroutine function
// runs nothing. `co_await coro` runs it inline in the awaiting task by hopping through the task's
// step loop (STYLE example 2: asyncio's `await coro` semantics with a flat stack on every
// compiler), never through the event loop. Destroyed while CREATED: the "never awaited" warning.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "corosim/detail/frame_pool.hpp"
#include "corosim/exceptions.hpp"

namespace corosim {

class TaskBase;
class FutureBase;
template <class T>
class Coro;

namespace detail {

/// Keeps a coroutine's own arguments from ever matching the promise constructor.
struct PromiseTag {};

/// inspect.getcoroutinestate, minus RUNNING (a frame in a running chain reports SUSPENDED).
enum class CoroState : std::uint8_t { kCreated, kSuspended, kClosed };

/// True when the exception being handled is a CancelledError; no rethrow (hot in cancellation).
bool current_exception_is_cancel() noexcept;
/// True when the exception being handled is KeyboardInterrupt or SystemExit (SEMANTICS G7).
bool current_exception_is_fatal() noexcept;
/// Records the A5 warning for a coroutine dropped while CREATED.
void warn_never_awaited(const char* name);
/// Takes and rethrows the exception a task step is delivering, if any.
void rethrow_pending(TaskBase* task);
/// Makes `h` the next frame the task's step loop resumes.
void hop_to(TaskBase* task, std::coroutine_handle<> h) noexcept;

template <class A>
concept HasMemberCoAwait = requires(A&& a) { static_cast<A&&>(a).operator co_await(); };
template <class A>
concept HasFreeCoAwait = requires(A&& a) { operator co_await(static_cast<A&&>(a)); };

/// An awaiter used in place through a pointer (PromiseBase::await_transform).
template <class A>
struct AwaiterRef {
    A* awaiter;
    bool await_ready() { return awaiter->await_ready(); }
    template <class H>
    decltype(auto) await_suspend(H h) {
        return awaiter->await_suspend(h);
    }
    decltype(auto) await_resume() { return awaiter->await_resume(); }
};

class PromiseBase;
/// Hand-driving (Coro::send, throw_in, close; task.cpp): one step of the frame `h` (promise `p`) with `exc`
/// thrown in (null: send(None)), by the frame's driver (made on the first call). Returns the
/// future the frame now awaits, null after a bare yield or when it finished.
FutureBase* drive_step(PromiseBase& p, std::coroutine_handle<> h, std::exception_ptr exc);
/// coroutine.close() on a hand-driven suspended frame (A6): GeneratorExit at its await; raises
/// what its cleanup raises instead, or RuntimeError('coroutine ignored GeneratorExit') when it
/// awaits again (it then stays suspended there).
void drive_close(PromiseBase& p);
/// A hand-driven frame is being dropped: a suspended one is closed first, an error going to the
/// unraisable hook as CPython's finaliser does (A6); then its driver is freed.
void drive_finalize(PromiseBase& p) noexcept;

/// What every Coro<T> promise shares: the chain links and the outcome.
class PromiseBase {
public:
    // The frame is allocated, then the parameters are copied into it, then the promise is
    // built: nothing between allocates another frame, so the last allocation is this frame,
    // provided the promise lies inside it. A frame whose allocation the compiler elided (clang's
    // CoroElide puts it inside its caller's) records size 0: no handle is ever placed in it.
    explicit PromiseBase(const char* name) noexcept : name_(name) {
        FrameStats& stats = frame_stats();
        ++stats.created;
        const auto* begin = static_cast<const char*>(std::exchange(stats.last_frame, nullptr));
        const auto* self = reinterpret_cast<const char*>(this);
        if (begin != nullptr && self >= begin && self < begin + stats.last_size) {
            frame_size_ = static_cast<std::uint32_t>(stats.last_size);
        }
    }
    ~PromiseBase() { ++frame_stats().destroyed; }
    PromiseBase(const PromiseBase&) = delete;
    PromiseBase& operator=(const PromiseBase&) = delete;

    static void* operator new(std::size_t size) {
        void* p = frame_alloc(size);
        FrameStats& stats = frame_stats();
        stats.last_frame = p;
        stats.last_size = size;
        return p;
    }
    static void operator delete(void* p, std::size_t size) noexcept { frame_free(p, size); }

    struct InitialAwaiter {
        PromiseBase* promise;
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<>) const noexcept {}
        // A task cancelled before its first step throws here, before any user code (A3, B6a).
        void await_resume() const {
            promise->state_ = CoroState::kSuspended;
            if (promise->task_ && !promise->start_exception_deferred_) rethrow_pending(promise->task_);
        }
    };
    struct FinalAwaiter {
        bool await_ready() const noexcept { return false; }
        template <class P>
        void await_suspend(std::coroutine_handle<P> self) const noexcept {
            PromiseBase& p = self.promise();
            p.state_ = CoroState::kClosed;
            if (p.continuation_) hop_to(p.task_, p.continuation_);
        }
        void await_resume() const noexcept {}
    };

    InitialAwaiter initial_suspend() noexcept { return {this}; }
    FinalAwaiter final_suspend() noexcept { return {}; }
    void unhandled_exception() noexcept {
        error_ = std::current_exception();
        error_is_cancel_ = current_exception_is_cancel();
        error_is_fatal_ = !error_is_cancel_ && current_exception_is_fatal();
    }

    CoroState state() const noexcept { return state_; }
    /// Ends this coroutine with `error` without throwing: the frame stays suspended where it is
    /// (its owner destroys it) and the awaiter resumes as if the exception had escaped. This is
    /// how combinators hand an outcome on without paying for a C++ throw per level.
    void finish_with_error(std::exception_ptr error, bool is_cancel, bool is_fatal) noexcept {
        error_ = std::move(error);
        error_is_cancel_ = is_cancel;
        error_is_fatal_ = is_fatal;
        state_ = CoroState::kClosed;
        if (continuation_) hop_to(task_, continuation_);
    }
    const char* name() const noexcept { return name_; }
    void set_name(const char* name) noexcept { name_ = name; }
    /// Every `co_await` in the coroutine passes through here: it notes where the frame is about
    /// to suspend (Python's frame line, shown by deadlock and livelock messages) and hands the
    /// awaitable on unchanged. The default arguments are evaluated at the `co_await`.
    template <class A>
    decltype(auto) await_transform(A&& awaitable, const char* file = __builtin_FILE(),
                                   std::uint32_t line = __builtin_LINE()) {
        await_file_ = file;
        await_line_ = line;
        // The awaiter itself, as `co_await` would get it. A glvalue awaiter is handed on through
        // a pointer: GCC 12 copies an awaiter that await_transform returns by reference, and
        // most awaiters cannot be copied. An rvalue one lives to the end of the full-expression,
        // past the resumption.
        if constexpr (HasMemberCoAwait<A>) {
            return std::forward<A>(awaitable).operator co_await();
        } else if constexpr (HasFreeCoAwait<A>) {
            return operator co_await(std::forward<A>(awaitable));
        } else {
            return AwaiterRef<std::remove_reference_t<A>>{&awaitable};
        }
    }
    /// The source file of the last `co_await` this coroutine reached (null before the first).
    const char* await_file() const noexcept { return await_file_; }
    /// The line of that `co_await`.
    std::uint32_t await_line() const noexcept { return await_line_; }
    /// Replaces the exception the frame ended with (same flags: a plain error).
    void replace_error(std::exception_ptr error) noexcept {
        error_ = std::move(error);
        error_is_cancel_ = error_is_fatal_ = false;
    }
    /// Who the final suspend (or an async generator's yield) hops back to.
    void set_continuation(std::coroutine_handle<> h) noexcept { continuation_ = h; }
    std::coroutine_handle<> continuation() const noexcept { return continuation_; }
    /// The promise of the frame awaiting this one through `co_await coro` (null for a task's
    /// top frame and for async generators): how a collection walks a suspended chain.
    PromiseBase* parent() const noexcept { return parent_; }
    /// Bytes in this coroutine's frame, which starts at its handle's address.
    std::size_t frame_size() const noexcept { return frame_size_; }
    TaskBase* task() const noexcept { return task_; }
    void set_task(TaskBase* t) noexcept { task_ = t; }
    /// True once Coro::send/throw_in drove it: task() is then its driver, owned by the Coro.
    bool hand_driven() const noexcept { return hand_driven_; }
    void set_hand_driven() noexcept { hand_driven_ = true; }
    const std::exception_ptr& error() const noexcept { return error_; }
    bool error_is_cancel() const noexcept { return error_is_cancel_; }
    bool error_is_fatal() const noexcept { return error_is_fatal_; }

private:
    template <class>
    friend class corosim::Coro;
    std::coroutine_handle<> continuation_;  // who awaits us; empty for a task's top frame
    PromiseBase* parent_ = nullptr;         // continuation_'s promise when set by `co_await coro`
    TaskBase* task_ = nullptr;              // the task whose step drives this frame
    std::exception_ptr error_;
    const char* name_;
    const char* await_file_ = nullptr;
    std::uint32_t await_line_ = 0;
    std::uint32_t frame_size_ = 0;
    CoroState state_ = CoroState::kCreated;
    bool start_exception_deferred_ = false;
    bool error_is_cancel_ = false;
    bool error_is_fatal_ = false;
    bool hand_driven_ = false;
};

template <class T>
class CoroPromise final : public PromiseBase {
public:
    // The default argument is evaluated inside the coroutine, so it names the coroutine (A5).
    explicit CoroPromise(PromiseTag = {}, const char* name = __builtin_FUNCTION()) noexcept : PromiseBase(name) {}
    Coro<T> get_return_object() noexcept;
    template <class U>
    void return_value(U&& v) {
        value_.emplace(std::forward<U>(v));
    }
    T take() { return std::move(*value_); }

private:
    std::optional<T> value_;
};

template <>
class CoroPromise<void> final : public PromiseBase {
public:
    explicit CoroPromise(PromiseTag = {}, const char* name = __builtin_FUNCTION()) noexcept : PromiseBase(name) {}
    Coro<void> get_return_object() noexcept;
    void return_void() noexcept {}
    void take() noexcept {}
};

}  // namespace detail

/// `inspect.getcoroutinestate`'s names: "CORO_CREATED", "CORO_SUSPENDED", "CORO_CLOSED".
inline const char* coroutine_state_name(detail::CoroState s) noexcept {
    switch (s) {
        case detail::CoroState::kCreated: return "CORO_CREATED";
        case detail::CoroState::kSuspended: return "CORO_SUSPENDED";
        case detail::CoroState::kClosed: return "CORO_CLOSED";
    }
    return "?";
}

/// What one hand-driven step of a Coro<T> did (Coro::send, Coro::throw_in): it suspended, giving
/// the future it awaits (Python: the value send() returns; null for a bare yield such as
/// sleep(0)), or it returned (Python: StopIteration carrying the value).
template <class T>
struct Sent {
    bool done = false;  ///< it returned
    std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> value;  ///< the return value (done, non-void)
    FutureBase* yielded = nullptr;  ///< not done: the future it awaits, null for a bare yield
};

/// A lazy coroutine object returning T; move-only; owns its frame.
///
/// Besides `co_await`, a Coro can be driven by hand like a Python coroutine object
/// (SEMANTICS A2-A7): send(), throw_in() and close(). Its code then runs inside the caller's
/// step, in the current task (trace lines name it), but no task drives it: awaiting a future
/// just hands that future back (a pending one raises RuntimeError("await wasn't used with
/// future") when resumed, as Future.__await__ does), so the caller decides when to resume.
/// A coroutine that an await started belongs to its awaiter: send/throw_in raise RuntimeError
/// ('coroutine is being awaited already') and close() leaves it alone. A coroutine started by
/// hand cannot be awaited or become a task; kept past its run it can only be dropped (send, throw_in
/// and close raise RuntimeError('Event loop is closed'); docs/semantics.md A).
template <class T = void>
class [[nodiscard]] Coro {
public:
    /// The coroutine protocol's promise: what makes a function returning Coro<T> a coroutine.
    using promise_type = detail::CoroPromise<T>;
    /// The frame a Coro owns (release() hands it over).
    using handle_type = std::coroutine_handle<promise_type>;

    Coro() = default;
    /// Takes ownership of a frame (the promise's get_return_object does this).
    explicit Coro(handle_type h) noexcept : h_(h) {}
    /// Takes `o`'s frame; `o` is left empty (CLOSED).
    Coro(Coro&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    /// Drops the frame it owned (with the never-awaited warning if never started, A5), then
    /// takes `o`'s.
    Coro& operator=(Coro&& o) noexcept {
        if (this != &o) {
            reset();
            h_ = std::exchange(o.h_, {});
        }
        return *this;
    }
    ~Coro() { reset(); }

    /// CREATED, SUSPENDED or CLOSED (a moved-from Coro reports CLOSED).
    detail::CoroState state() const noexcept { return h_ ? h_.promise().state() : detail::CoroState::kClosed; }
    /// The coroutine's function name, as the never-awaited warning shows it.
    const char* name() const noexcept { return h_ ? h_.promise().name() : "?"; }
    /// coroutine.close(). Never started: closed without running and without the never-awaited
    /// warning (A4). Suspended after send/throw_in: GeneratorExit at its await, so its cleanup
    /// runs; what the cleanup raises instead propagates, and a cleanup that awaits again raises
    /// RuntimeError('coroutine ignored GeneratorExit') and leaves it suspended there (A6).
    /// Finished, or started by an await: nothing.
    void close() {
        if (!h_) return;
        auto& p = h_.promise();
        if (p.state() == detail::CoroState::kCreated) {
            detail::destroy_frame(std::exchange(h_, {}));
        } else if (p.state() == detail::CoroState::kSuspended && p.hand_driven_) {
            detail::drive_close(p);
        }
    }
    /// `coro.send(None)`: runs it until it suspends or returns (see Sent). Raises what it raises
    /// (it is then closed); RuntimeError('cannot reuse already awaited coroutine') once closed.
    Sent<T> send() { return drive(nullptr); }
    /// `coro.send(v)` with v not None: TypeError("can't send non-None value to a just-started
    /// coroutine") before its first step, leaving it CREATED (A2); afterwards like send(), as
    /// an asyncio await ignores the value sent to it.
    template <class V>
    Sent<T> send(V&&) {
        if (h_ && h_.promise().state() == detail::CoroState::kCreated) {
            throw TypeError("can't send non-None value to a just-started coroutine");
        }
        return drive(nullptr);
    }
    /// `coro.throw(exc)`: raises `exc` at the await where it is suspended, then as send(). Before
    /// its first step it raises `exc` at once, runs nothing and is closed, with no warning (A3).
    Sent<T> throw_in(std::exception_ptr exc) { return drive(std::move(exc)); }
    /// Sets the name reports show (Python's `__qualname__`, e.g. "main.<locals>.inner", which a
    /// C++ function name cannot spell); `name` must outlive the coroutine (a string literal).
    Coro&& qualname(const char* name) && noexcept {
        if (h_) h_.promise().set_name(name);
        return std::move(*this);
    }

    /// For a task's coroutine that stands for one awaitable, as asyncio tasks can wrap an
    /// aclose() awaitable directly: an exception the task's first step delivers (a cancel
    /// before it started) is not raised before the body runs but left for the body's first
    /// await to take (TaskBase::take_pending), which hands it on to what it awaits.
    Coro&& defer_start_exception() && noexcept {
        if (h_) h_.promise().start_exception_deferred_ = true;
        return std::move(*this);
    }

    /// Gives up ownership of the frame (a Task takes it).
    handle_type release() noexcept { return std::exchange(h_, {}); }

    /// What `co_await coro` uses: runs the coroutine in the awaiting task, then returns its
    /// value or rethrows what it raised; a started or finished one raises RuntimeError (A7, A8).
    class Awaiter {
    public:
        /// @cond internal
        explicit Awaiter(handle_type h) noexcept : h_(h) {}
        handle_type handle() const noexcept { return h_; }
        // Awaiting a started or finished coroutine does not suspend; await_resume raises (A7, A8).
        bool await_ready() const noexcept { return !h_ || h_.promise().state() != detail::CoroState::kCreated; }
        template <class P>
        void await_suspend(std::coroutine_handle<P> caller) const noexcept {
            auto& p = h_.promise();
            p.continuation_ = caller;
            p.parent_ = &caller.promise();
            p.task_ = caller.promise().task();
            detail::hop_to(p.task_, h_);
        }
        T await_resume() const {
            if (!h_) throw RuntimeError("cannot reuse already awaited coroutine");
            auto& p = h_.promise();
            // Started and not finished: it runs in another await chain (another task's, say);
            // its awaiter resumes only once it has closed.
            if (p.state() != detail::CoroState::kClosed) throw RuntimeError("coroutine is being awaited already");
            if (!p.continuation_) throw RuntimeError("cannot reuse already awaited coroutine");
            p.continuation_ = nullptr;  // awaited once; a second await sees CLOSED
            if (p.error_) std::rethrow_exception(p.error_);
            return p.take();
        }
        /// @endcond

    private:
        handle_type h_;
    };

    /// The outcome of a coroutine awaited without rethrowing its exception.
    struct Outcome {
        /// Its return value (`true` for Coro<void>); empty when it raised.
        std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> value;
        /// What it raised; null when it returned.
        std::exception_ptr error;
        /// `error` is a CancelledError (known without rethrowing it).
        bool is_cancel = false;
        /// `error` is KeyboardInterrupt or SystemExit, which asyncio lets through (G7).
        bool is_fatal = false;
    };

    /// `co_await std::move(c).settle()`: runs the coroutine like `co_await c` but returns its
    /// outcome instead of rethrowing (combinators inspect outcomes without a C++ throw).
    class SettleAwaiter {
    public:
        /// @cond internal
        explicit SettleAwaiter(handle_type h) noexcept : inner_(h) {}
        bool await_ready() const noexcept { return inner_.await_ready(); }
        template <class P>
        void await_suspend(std::coroutine_handle<P> caller) const noexcept {
            inner_.await_suspend(caller);
        }
        Outcome await_resume() const {
            Outcome out;
            auto& p = inner_.handle().promise();
            if (p.state() == detail::CoroState::kClosed && p.continuation_ && p.error_) {
                p.continuation_ = nullptr;
                out.error = p.error_;
                out.is_cancel = p.error_is_cancel_;
                out.is_fatal = p.error_is_fatal_;
                return out;
            }
            if constexpr (std::is_void_v<T>) {
                inner_.await_resume();
                out.value.emplace(true);
            } else {
                out.value.emplace(inner_.await_resume());
            }
            return out;
        }
        /// @endcond

    private:
        Awaiter inner_;
    };
    /// Awaited, runs the coroutine and gives its Outcome instead of rethrowing (SettleAwaiter).
    SettleAwaiter settle() && noexcept { return SettleAwaiter(h_); }

    /// `co_await coro`: runs it in the awaiting task and returns its value or rethrows (Awaiter).
    Awaiter operator co_await() const& noexcept { return Awaiter(h_); }
    /// `co_await make_coro()`: the same for a temporary.
    Awaiter operator co_await() const&& noexcept { return Awaiter(h_); }

private:
    Sent<T> drive(std::exception_ptr exc) {
        if (!h_ || h_.promise().state() == detail::CoroState::kClosed) {
            throw RuntimeError("cannot reuse already awaited coroutine");
        }
        auto& p = h_.promise();
        if (p.state() == detail::CoroState::kSuspended && !p.hand_driven_) {
            throw RuntimeError("coroutine is being awaited already");
        }
        Sent<T> out;
        out.yielded = detail::drive_step(p, h_, std::move(exc));
        if (p.state() == detail::CoroState::kClosed) {
            if (p.error_) std::rethrow_exception(p.error_);
            out.done = true;
            if constexpr (std::is_void_v<T>) {
                out.value.emplace(true);
            } else {
                out.value.emplace(p.take());
            }
        }
        return out;
    }
    void reset() noexcept {
        if (!h_) return;
        if (h_.promise().state() == detail::CoroState::kCreated) detail::warn_never_awaited(h_.promise().name());
        if (h_.promise().hand_driven_) detail::drive_finalize(h_.promise());
        detail::destroy_frame(std::exchange(h_, {}));
    }
    handle_type h_;
};

namespace detail {
/// `co_await fail_with(e, is_cancel, is_fatal)`: ends the awaiting coroutine with `e` without a
/// throw (PromiseBase::finish_with_error); nothing after it runs.
// Trivially destructible on purpose: the frame stays suspended at this await until its owner
// destroys it, and GCC 12 mishandles awaiter temporaries that own resources on that path
// (measured: a double release of the exception_ptr).
struct FailWith {
    const std::exception_ptr* error;
    bool is_cancel = false;
    bool is_fatal = false;
    bool await_ready() const noexcept { return false; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> self) noexcept {
        self.promise().finish_with_error(*error, is_cancel, is_fatal);
    }
    void await_resume() const noexcept {}
};

template <class T>
Coro<T> CoroPromise<T>::get_return_object() noexcept {
    return Coro<T>(std::coroutine_handle<CoroPromise<T>>::from_promise(*this));
}
inline Coro<void> CoroPromise<void>::get_return_object() noexcept {
    return Coro<void>(std::coroutine_handle<CoroPromise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace corosim
