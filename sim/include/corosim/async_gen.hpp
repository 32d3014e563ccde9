// async_gen.hpp: AsyncGen<T>, asynchronous generators (SEMANTICS F; python/cpython
// Objects/genobject.c async_gen_*, Lib/asyncio/base_events.py _asyncgen_firstiter_hook,
// _asyncgen_finalizer_hook, shutdown_asyncgens). The generator's frame runs inside the task
// that awaits anext()/asend()/athrow()/aclose(): its first start hops like `await coro`, and a
// frame parked at a `co_yield` is resumed as a nested call (AsyncGenStateBase::run_nested, the
// same order of execution without the trip through the step loop); `co_yield v` hands v back
// and evaluates to what asend() sent (none for anext). The first of those calls fires the
// loop's firstiter hook (the generator is registered, first-iteration order); a generator
// dropped un-exhausted fires the finalizer hook, which schedules a task running its aclose();
// run() closes what is left with shutdown_asyncgens.
#pragma once

#include <coroutine>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "corosim/coro.hpp"
#include "corosim/exceptions.hpp"
#include "corosim/future.hpp"
#include "corosim/loop.hpp"
#include "corosim/task.hpp"

namespace corosim {

template <class T>
class AsyncGen;

namespace detail {

/// What every async generator shares: the frame, its state, the hooks' bookkeeping.
class AsyncGenStateBase {
public:
    AsyncGenStateBase(std::coroutine_handle<> frame, PromiseBase* promise) noexcept : frame_(frame), promise_(promise) {}
    virtual ~AsyncGenStateBase();
    AsyncGenStateBase(const AsyncGenStateBase&) = delete;
    AsyncGenStateBase& operator=(const AsyncGenStateBase&) = delete;

    void add_ref() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) delete this;
    }
    /// A user-visible AsyncGen handle appeared / went away (the finalizer hook fires when the
    /// last one goes while the generator is suspended mid-iteration).
    void add_handle() noexcept { ++handles_; }
    void drop_handle() noexcept;

    /// `<async_generator object NAME>` (without the address).
    std::string repr() const { return std::string("<async_generator object ") + promise_->name() + ">"; }
    const char* qualname() const noexcept { return promise_->name(); }

    /// Fires the firstiter hook once (on the first anext/asend/athrow/aclose call).
    void first_iteration() {
        if (!hooks_called_) call_first_iteration_hook();
    }
    /// Hops into the frame from `caller`, inside `task` (through the task's step loop).
    void resume_from(std::coroutine_handle<> caller, TaskBase* task) noexcept {
        enter(caller, task);
        task->hop(frame_);
    }
    /// Runs the frame from `caller`, inside `task`, as a nested call instead of a hop (W6's hot
    /// path). A hop makes the frame the next thing the task's step loop resumes, with nothing
    /// in between, so resuming it right here runs the same code in the same order; only the
    /// C++ stack differs. True when the frame came back to a `co_yield` within the call: the
    /// caller goes on at once. Otherwise the frame suspended some other way (a hop into a
    /// coroutine, a future, a yield to the loop, its end) and everything from there on, its
    /// next yield included, goes through the step loop as before.
    /// `outer` is the nesting depth of the caller: that of the generator it is when that one
    /// runs nested itself, else 0 (the step loop resumed it). Past kMaxNesting levels the frame
    /// is hopped to, so the C++ stack stays bounded however deep a chain of generators is.
    bool run_nested(std::coroutine_handle<> caller, TaskBase* task, unsigned outer) noexcept {
        enter(caller, task);
        if (outer >= kMaxNesting) [[unlikely]] {
            task->hop(frame_);
            return false;
        }
        depth_ = static_cast<std::uint8_t>(outer + 1);
        frame_.resume();
        depth_ = 0;
        return yielded_;  // only a yield within the call sets it (enter() cleared it)
    }
    /// How deep this generator's frame runs nested right now (0: not inside run_nested).
    unsigned nesting() const noexcept { return depth_; }
    /// At a `co_yield`: true when it returns to a run_nested() call, false when it must hop
    /// back to the awaiter.
    bool yield_to_nested() noexcept {
        yielded_ = true;
        return depth_ != 0;
    }
    /// The awaiter took the value of a co_yield: the frame is parked at that yield.
    void took_yield() noexcept {
        running = false;
        yielded_ = false;
        parked_ = true;
    }
    /// The awaiter of a resume is done with it (any outcome).
    void stop_running() noexcept {
        running = false;
        parked_ = promise_->state() == CoroState::kSuspended;
    }
    /// aclose() is about to resume the frame with GeneratorExit (CPython: the awaitable's first
    /// send, which sets ag_running_async). Remembers the loop step, see finish_close().
    void begin_close() noexcept;
    /// athrow()/aclose(): `exc` is raised at the yield the frame resumes from.
    void throw_at_yield(std::exception_ptr exc) noexcept {
        throw_in = std::move(exc);
        delivery_ = true;
    }
    bool started() const noexcept { return promise_->state() != CoroState::kCreated; }
    /// aclose()'s outcome once the frame has run: the generator is closed; RuntimeError when it
    /// yielded instead of finishing, else what it raised unless that is the GeneratorExit itself.
    void finish_close();
    bool finished() const noexcept { return promise_->state() == CoroState::kClosed && !yielded_; }
    /// Suspended at a `co_yield` and not running: the one state in which anext() simply resumes
    /// the frame (started, not finished, not running; `closed` does not matter to anext once
    /// started). Kept as a flag, updated where `running` changes: a frame runs only between
    /// enter() and stop_running()/took_yield(), so its coroutine state cannot change elsewhere.
    bool parked() const noexcept { return parked_; }

    /// ag_running_async left set by an interrupted aclose() (Compat::aclose_throw_keeps_running):
    /// anext() and asend() refuse as if it were running.
    bool stuck_running() const noexcept { return stuck_running_; }

    bool running = false;        // written by enter(), took_yield() and stop_running() only
    bool closed = false;         // aclose() completed, or closed before starting
    bool yielded_ = false;       // the last resume stopped at a co_yield
    std::exception_ptr throw_in; // athrow()/aclose(): raised at the yield the frame resumes from

    PromiseBase* promise() const noexcept { return promise_; }
    std::coroutine_handle<> frame() const noexcept { return frame_; }
    LoopRef loop;                // the loop whose hooks saw it (registration); null once freed

protected:
    bool delivery_ = false;  // throw_in or a sent value waits for the yield the frame resumes from

private:
    static constexpr unsigned kMaxNesting = 64;
    void enter(std::coroutine_handle<> caller, TaskBase* task) noexcept {
        running = true;
        parked_ = false;
        yielded_ = false;
        promise_->set_task(task);
        promise_->set_continuation(caller);
    }
    void call_first_iteration_hook();
    std::coroutine_handle<> frame_;
    PromiseBase* promise_;
    std::uint32_t refs_ = 0;
    std::uint32_t handles_ = 0;
    std::uint8_t depth_ = 0;  // while a run_nested() call runs the frame: its nesting depth
    bool parked_ = false;
    bool hooks_called_ = false;
    bool stuck_running_ = false;
    std::uint64_t close_step_ = 0;  // the loop step in which the last aclose() began
};

template <class T>
class AsyncGenState final : public AsyncGenStateBase {
public:
    using AsyncGenStateBase::AsyncGenStateBase;
    std::optional<T> value;  // the last yielded value
    std::optional<T> sent;   // what asend() sends (none for anext); set through send_at_yield

    /// asend(v): v is what the yield the frame resumes from evaluates to.
    void send_at_yield(std::optional<T>&& v) {
        sent = std::move(v);
        if (sent) delivery_ = true;
    }
    /// What the yield the frame resumes from evaluates to: none (anext), unless asend() sent a
    /// value or athrow()/aclose() throws in.
    std::optional<T> take_delivery() {
        // `sent` is empty whenever nothing is delivered. Copying it rather than returning a
        // fresh nullopt matters to GCC 12: it builds that nullopt with a one-byte store and
        // copies it into the frame with a 16-byte load, which cannot be forwarded from the
        // store and waits for it to retire, on every resume.
        if (!delivery_) [[likely]]
            return sent;
        return take_delivery_slow();
    }

private:
    [[gnu::noinline]] std::optional<T> take_delivery_slow() {
        delivery_ = false;
        if (throw_in) {
            sent.reset();
            std::rethrow_exception(std::exchange(throw_in, nullptr));
        }
        return std::exchange(sent, std::nullopt);
    }
};

/// Replaces a StopAsyncIteration that ended a generator's frame with the RuntimeError Python
/// raises instead (its __cause__ and __context__ are the original).
void convert_stop_async_iteration(PromiseBase& p) noexcept;

template <class T>
class AsyncGenPromise final : public PromiseBase {
public:
    explicit AsyncGenPromise(PromiseTag = {}, const char* name = __builtin_FUNCTION()) noexcept : PromiseBase(name) {}
    AsyncGen<T> get_return_object();
    void return_void() noexcept {}
    // PEP 479 for async generators: a StopAsyncIteration escaping the body would read as
    // exhaustion, so it becomes RuntimeError('async generator raised StopAsyncIteration') from it
    // (Objects/genobject.c gen_send_ex2).
    void unhandled_exception() noexcept {
        PromiseBase::unhandled_exception();
        if (!error_is_cancel()) convert_stop_async_iteration(*this);
    }

    struct YieldAwaiter {
        AsyncGenPromise* p;
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<>) const noexcept {
            if (!p->state->yield_to_nested()) p->task()->hop(p->continuation());
        }
        // Resumed only by an AgenAwaiter (nested or by a hop), never by a task step, so no step
        // exception can be pending here; athrow()/aclose() deliver theirs through throw_in.
        std::optional<T> await_resume() const { return p->state->take_delivery(); }
    };
    template <class U>
    YieldAwaiter yield_value(U&& v) {
        if constexpr (std::is_trivially_copyable_v<T> && std::is_trivially_copy_assignable_v<T>) {
            // The same as emplace for such a T, but it leaves the engaged flag alone once set, so
            // only the value's own bytes were stored just now when the awaiter reads `value`
            // back (see AgenAwaiter::resume_optional).
            if (state->value) {
                const T t(std::forward<U>(v));
                *state->value = t;
                return YieldAwaiter{this};
            }
        }
        state->value.emplace(std::forward<U>(v));
        return YieldAwaiter{this};
    }

    AsyncGenState<T>* state = nullptr;  // owned by the AsyncGen handles and awaiters
};

template <class P>
inline constexpr bool is_async_gen_promise = false;
template <class T>
inline constexpr bool is_async_gen_promise<AsyncGenPromise<T>> = true;

/// The awaitable behind anext/asend/athrow/aclose/next; `R` is what the await gives: T for
/// anext/asend, std::optional<T> for next() and athrow(), void for aclose.
///
/// Hot path (W6: `while (auto v = co_await g.next())` through a chain of generators): anext()
/// or next() on a generator parked at a `co_yield` costs one state check in await_ready, a
/// nested resume of the frame (AsyncGenStateBase::run_nested) and one flag check in
/// await_resume that takes the value. Everything else (the first start, refusals, reuse,
/// asend/athrow/aclose, exhaustion, errors) is out of line, with the rules unchanged. The
/// anext/asend awaitable carries the value to send, the next/athrow one the exception to throw
/// in, the aclose one neither.
template <class T, class R>
class AgenAwaiter {
public:
    enum class Mode : std::uint8_t { kNext, kSend, kThrow, kClose };

    AgenAwaiter(AsyncGenState<T>* st, Mode mode) : st_(st), mode_(mode) {
        st_->first_iteration();  // the hook fires when the awaitable is made (F1)
    }
    AgenAwaiter(AsyncGenState<T>* st, Mode mode, std::optional<T> send)
        requires(std::is_same_v<R, T>)
        : st_(st), payload_{std::move(send)}, mode_(mode) {
        st_->first_iteration();
    }
    AgenAwaiter(AsyncGenState<T>* st, Mode mode, std::exception_ptr exc)
        requires(std::is_same_v<R, std::optional<T>>)
        : st_(st), payload_{std::move(exc)}, mode_(mode) {
        st_->first_iteration();
    }

    bool await_ready() {
        if (stage_ == Stage::kFresh && mode() == Mode::kNext && st_->parked()) [[likely]] {
            stage_ = Stage::kResumed;  // anext sends None: nothing to deliver (see take_delivery)
            return false;
        }
        return ready_slow();
    }
    /// The generator this awaitable drives (create_task(g.aclose()) takes it).
    AsyncGenState<T>* generator() const noexcept { return st_.get(); }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> caller) noexcept {
        if (stage_ == Stage::kStarting) [[unlikely]] {
            // The first start goes through the step loop, as it always did; only frames parked
            // at a co_yield are run nested.
            st_->resume_from(caller, caller.promise().task());
            return true;
        }
        // Only a generator's frame can itself be running nested (coroutines and tasks are
        // resumed by the step loop).
        unsigned outer = 0;
        if constexpr (is_async_gen_promise<P>) outer = caller.promise().state->nesting();
        // false: the frame yielded within the call, the awaiting frame goes on at once.
        return !st_->run_nested(caller, caller.promise().task(), outer);
    }
    R await_resume() {
        if constexpr (std::is_void_v<R>) {
            (void)outcome();
        } else if constexpr (std::is_same_v<R, std::optional<T>>) {
            return resume_optional();
        } else {
            AsyncGenState<T>& s = *st_;
            if (stage_ == Stage::kResumed && s.yielded_) [[likely]] {
                s.took_yield();
                return std::move(*s.value);
            }
            std::optional<T> v = outcome();
            if (!v) throw StopAsyncIteration();
            return std::move(*v);
        }
    }

private:
    static constexpr bool kSends = std::is_same_v<R, T>;                  // anext/asend
    static constexpr bool kThrows = std::is_same_v<R, std::optional<T>>;  // next/athrow
    struct SendPayload {
        std::optional<T> send;  // asend(): what it sends
    };
    struct ThrowPayload {
        std::exception_ptr exc;  // athrow(): what it throws in
    };
    struct NoPayload {};
    using Payload = std::conditional_t<kSends, SendPayload, std::conditional_t<kThrows, ThrowPayload, NoPayload>>;
    /// kFresh: not awaited yet. kResumed: the frame is resumed at its co_yield (await_ready
    /// returned false); kStarting: the same for its first start. kExhausted: nothing to run,
    /// the await gives none. The others: the await raises (the exception is made in
    /// await_resume, which runs right after await_ready returns true).
    enum class Stage : std::uint8_t {
        kFresh, kResumed, kStarting, kExhausted, kReused, kRunning, kSentTooEarly, kThrownEarly
    };

    Mode mode() const noexcept {
        if constexpr (std::is_void_v<R>) {
            return Mode::kClose;
        } else {
            return mode_;
        }
    }
    const char* method() const noexcept {
        switch (mode()) {
            case Mode::kThrow: return "athrow";
            case Mode::kClose: return "aclose";
            default: return "anext";
        }
    }
    // next()/athrow()'s await_resume. Out of line on purpose, with a single call site: a small
    // optional then comes back in two registers, loaded as two words from `value` (whose flag
    // word was written long ago, see yield_value), and lands in the awaiting frame as two
    // words. Inlined (or with the fast and slow paths joining in the awaiting frame), GCC 12
    // copies the optional with one 16-byte load right after the generator's 8-byte store of the
    // value: a load that store-to-load forwarding cannot serve, so it waits for the store to
    // retire, once per item (measured: it halves W6's rate).
    // The two outcomes are separate functions on purpose too (tail calls here), so that their
    // values never meet in a stack slot copied as a whole.
    [[gnu::noinline]] std::optional<T> resume_optional() {
        if (stage_ == Stage::kResumed && st_->yielded_) [[likely]]
            return take_value(*st_);
        return resume_optional_slow();
    }
    [[gnu::noinline]] static std::optional<T> take_value(AsyncGenState<T>& s) {
        s.took_yield();
        return std::move(s.value);
    }
    [[gnu::noinline]] std::optional<T> resume_optional_slow() {
        std::optional<T> v = outcome();
        // athrow(): None for a generator that had already finished; one that finishes now
        // raises StopAsyncIteration, as anext() does.
        if (!v && mode() == Mode::kThrow && stage_ != Stage::kExhausted) throw StopAsyncIteration();
        return v;
    }
    bool refuse(Stage why) noexcept {
        stage_ = why;
        return true;
    }
    // Everything await_ready decides besides anext() on a parked generator.
    [[gnu::noinline]] bool ready_slow() {
        AsyncGenStateBase& s = *st_;
        const Mode mode = this->mode();
        if (stage_ != Stage::kFresh) return refuse(Stage::kReused);  // an awaitable is awaited once
        if (s.running) return refuse(Stage::kRunning);  // whoever is running it still is
        if (s.stuck_running() && (mode == Mode::kNext || mode == Mode::kSend)) return refuse(Stage::kRunning);
        if (mode == Mode::kClose) {
            if (!s.started() || s.finished() || s.closed) {
                s.closed = true;
                stage_ = Stage::kExhausted;
                return true;
            }
            s.begin_close();
            s.throw_at_yield(std::make_exception_ptr(GeneratorExit()));
            stage_ = Stage::kResumed;
            return false;
        }
        // ag_closed is checked by athrow()/aclose() only: anext after an ignored GeneratorExit
        // resumes the generator (a generator closed before it started stays exhausted).
        if (s.finished() || (s.closed && (mode == Mode::kThrow || !s.started()))) {
            stage_ = Stage::kExhausted;
            return true;
        }
        if constexpr (kThrows) {
            if (mode == Mode::kThrow) {
                if (!s.started()) {
                    // athrow() before the first anext: raised at once; the generator is closed.
                    s.closed = true;
                    return refuse(Stage::kThrownEarly);
                }
                s.throw_at_yield(payload_.exc);
            }
        }
        if constexpr (kSends) {
            if (mode == Mode::kSend && payload_.send && !s.started()) return refuse(Stage::kSentTooEarly);
            st_->send_at_yield(std::move(payload_.send));
        }
        stage_ = s.started() ? Stage::kResumed : Stage::kStarting;
        return false;
    }
    // Every outcome but a value from a resumed anext/asend/athrow: none when the generator is
    // exhausted; raises what the generator raised (once), what a refused await raises, or what
    // aclose() must raise.
    [[gnu::noinline]] std::optional<T> outcome() {
        AsyncGenStateBase& s = *st_;
        const Mode mode = this->mode();
        switch (stage_) {
            case Stage::kReused:
                throw RuntimeError(mode == Mode::kThrow || mode == Mode::kClose
                                       ? "cannot reuse already awaited aclose()/athrow()"
                                       : "cannot reuse already awaited __anext__()/asend()");
            case Stage::kRunning:
                throw RuntimeError(std::string(method()) + "(): asynchronous generator is already running");
            case Stage::kSentTooEarly:
                throw TypeError("can't send non-None value to a just-started async generator");
            case Stage::kThrownEarly:
                if constexpr (kThrows) {
                    if (payload_.exc) std::rethrow_exception(payload_.exc);
                }
                break;  // athrow(nullptr): as if resumed
            case Stage::kExhausted:
                return std::nullopt;
            default:
                break;
        }
        s.stop_running();
        if (mode == Mode::kClose) {
            s.finish_close();
            return std::nullopt;
        }
        if (s.yielded_) {
            s.yielded_ = false;
            return std::move(st_->value);
        }
        if (auto e = s.promise()->error()) {
            s.closed = true;
            std::rethrow_exception(e);
        }
        s.closed = true;
        return std::nullopt;
    }

    Ref<AsyncGenState<T>> st_;
    [[no_unique_address]] Payload payload_;
    Mode mode_;  // what mode() says (aclose() knows its own)
    Stage stage_ = Stage::kFresh;
};

}  // namespace detail

/// An async generator object returning values of type T (`async def f(): yield ...`).
/// Copies share one generator. Its frame runs in the task awaiting it.
template <class T>
class [[nodiscard]] AsyncGen {
public:
    /// The coroutine protocol's promise: what makes a function returning AsyncGen<T> one.
    using promise_type = detail::AsyncGenPromise<T>;
    /// The shared generator state (frame, running flag, hooks' bookkeeping).
    using State = detail::AsyncGenState<T>;
    /// What anext() and asend() return: awaited, the next value or StopAsyncIteration.
    using Awaiter = detail::AgenAwaiter<T, T>;
    /// What next() and athrow() return: awaited, the next value or none.
    using NextAwaiter = detail::AgenAwaiter<T, std::optional<T>>;
    /// What aclose() returns.
    using CloseAwaiter = detail::AgenAwaiter<T, void>;

    /// A handle on `st` (the promise's get_return_object does this).
    explicit AsyncGen(detail::Ref<State> st) : st_(std::move(st)) { st_->add_handle(); }
    /// Another handle on the same generator.
    AsyncGen(const AsyncGen& o) : st_(o.st_) { st_->add_handle(); }
    /// Drops this handle's generator and shares `o`'s. When the last handle on a generator
    /// that was iterated but not finished goes, the finalizer hook closes it in a new task
    /// (asyncio's _asyncgen_finalizer_hook).
    AsyncGen& operator=(const AsyncGen& o) {
        AsyncGen copy(o);
        std::swap(st_, copy.st_);
        return *this;
    }
    ~AsyncGen() {
        if (st_) st_->drop_handle();
    }

    /// `anext(g)`: the next value; StopAsyncIteration when exhausted.
    Awaiter anext() const { return Awaiter(st_.get(), Awaiter::Mode::kNext); }
    /// `await g.asend(v)`: resumes the generator with v as the value of its `co_yield`.
    Awaiter asend(std::optional<T> v) const { return Awaiter(st_.get(), Awaiter::Mode::kSend, std::move(v)); }
    /// `await g.athrow(exc)`: raises exc at the suspended `co_yield` and gives the next value;
    /// none (Python's None) when the generator had already finished.
    NextAwaiter athrow(std::exception_ptr exc) const {
        return NextAwaiter(st_.get(), NextAwaiter::Mode::kThrow, std::move(exc));
    }
    /// `await g.aclose()`: raises GeneratorExit at the suspended `co_yield` (its finally runs).
    CloseAwaiter aclose() const { return CloseAwaiter(st_.get(), CloseAwaiter::Mode::kClose); }
    /// The `async for` step: the next value, or none when exhausted (no StopAsyncIteration thrown):
    /// `while (auto v = co_await g.next()) { ... }`.
    NextAwaiter next() const { return NextAwaiter(st_.get(), NextAwaiter::Mode::kNext); }

    /// `<async_generator object NAME>`.
    std::string repr() const { return st_->repr(); }
    /// Sets the name shown in hooks and reports (Python's `__qualname__`); a string literal.
    AsyncGen&& qualname(const char* name) && noexcept {
        st_->promise()->set_name(name);
        return std::move(*this);
    }
    /// The shared state (identity, and what the loop's asyncgens() lists).
    detail::AsyncGenStateBase* state() const noexcept { return st_.get(); }

private:
    detail::Ref<State> st_;
};

template <class T>
AsyncGen<T> detail::AsyncGenPromise<T>::get_return_object() {
    auto h = std::coroutine_handle<AsyncGenPromise<T>>::from_promise(*this);
    state = new AsyncGenState<T>(h, this);
    return AsyncGen<T>(Ref<AsyncGenState<T>>(state));
}

namespace detail {
/// The aclose() task the finalizer hook schedules, and what shutdown_asyncgens gathers.
Coro<void> aclose_generator(Ref<AsyncGenStateBase> gen);
}  // namespace detail

/// `await loop.shutdown_asyncgens()` on the running loop, as asyncio.run does at the end: closes
/// every async generator iterated on this loop and not finished, each by an aclose() task (so
/// each consumes a Task-N number), gathered; an aclose() that fails (a generator running in
/// another task: 'already running') is reported through the exception handler as 'an error
/// occurred during closing of asynchronous generator ...'. The generators are forgotten either
/// way, so a second call finds nothing to do. A generator first iterated after a call warns
/// ResourceWarning ('... was scheduled after loop.shutdown_asyncgens() call') and is registered
/// for the next one. Source: Lib/asyncio/base_events.py shutdown_asyncgens,
/// _asyncgen_firstiter_hook.
Coro<void> shutdown_asyncgens();

/// `asyncio.create_task(g.aclose())`: a task wrapping the aclose() awaitable itself, as the
/// loop's finalizer hook makes one. Cancelled before its first step, it throws the
/// CancelledError into the generator at its yield instead of GeneratorExit, so the generator's
/// cleanup still runs (a coroutine awaiting aclose() would raise before reaching it).
template <class T>
Task<void> create_task(detail::AgenAwaiter<T, void> aclose, std::string name = {}) {
    return create_task(detail::aclose_generator(detail::Ref<detail::AsyncGenStateBase>(aclose.generator())),
                       std::move(name));
}

namespace detail {
/// Takes what a task's first step throws in (Coro::defer_start_exception) without raising it:
/// null when the step is a plain send.
struct TakeStartException {
    std::exception_ptr exc;
    bool await_ready() noexcept {
        if (TaskBase* t = running_loop().current_task()) exc = t->take_pending();
        return true;
    }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    std::exception_ptr await_resume() noexcept { return std::move(exc); }
};

// The coroutine of create_task(g.anext()): the task's first step either sends None (the anext()
// awaitable runs the generator as `await anext(g)` would) or throws into the awaitable, which
// throws into the generator (Objects/genobject.c async_gen_asend_throw -> gen_throw): one that
// has not started is closed without running, an exhausted or closed one lets the exception
// through, one suspended at a yield gets it there and its next yield is the task's result.
template <class T>
Coro<T> anext_task_body(AgenAwaiter<T, T> next) {
    std::exception_ptr thrown = co_await TakeStartException{};
    if (!thrown) co_return co_await std::move(next);
    AsyncGenState<T>* g = next.generator();
    if (g->finished() || g->closed) std::rethrow_exception(thrown);
    // athrow() gives none only for a generator that had already finished (ruled out above).
    std::optional<T> v = co_await AgenAwaiter<T, std::optional<T>>(g, AgenAwaiter<T, std::optional<T>>::Mode::kThrow,
                                                                  std::move(thrown));
    co_return std::move(*v);
}
}  // namespace detail

/// `asyncio.create_task(anext(g))` (or `g.asend(v)`): a task wrapping the __anext__()
/// awaitable itself; its result is the value the generator yields next. Cancelled before its
/// first step, it throws the CancelledError into the generator at its yield (a generator that
/// has not started is closed without running), as CPython's task does with the awaitable.
template <class T>
Task<T> create_task(detail::AgenAwaiter<T, T> next, std::string name = {}) {
    return create_task(detail::anext_task_body<T>(std::move(next)).qualname("async_generator_asend").defer_start_exception(),
                       std::move(name));
}

}  // namespace corosim
