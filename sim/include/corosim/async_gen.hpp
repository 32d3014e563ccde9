// async_gen.hpp: AsyncGen<T>, asynchronous generators (SEMANTICS F; python/cpython
// Objects/genobject.c async_gen_*, Lib/asyncio/base_events.py _asyncgen_firstiter_hook,
// _asyncgen_finalizer_hook, shutdown_asyncgens). The generator's frame runs inside the task
// that awaits anext()/asend()/athrow()/aclose(), hopping like `await coro`; `co_yield v` hands v
// back and evaluates to what asend() sent (none for anext). The first of those calls fires the
// loop's firstiter hook (the generator is registered, first-iteration order); a generator
// dropped un-exhausted fires the finalizer hook, which schedules a task running its aclose();
// run() closes what is left with shutdown_asyncgens.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <string>
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
    /// Hops into the frame from `caller`, inside `task` (inline: W6's hot path).
    void resume_from(std::coroutine_handle<> caller, TaskBase* task) noexcept {
        running = true;
        yielded_ = false;
        promise_->set_task(task);
        promise_->set_continuation(caller);
        hop_to(task, frame_);
    }
    bool started() const noexcept { return promise_->state() != CoroState::kCreated; }
    bool finished() const noexcept { return promise_->state() == CoroState::kClosed && !yielded_; }

    bool running = false;
    bool closed = false;         // aclose() completed, or closed before starting
    bool yielded_ = false;       // the last resume stopped at a co_yield
    std::exception_ptr throw_in; // athrow()/aclose(): raised at the yield the frame resumes from

    PromiseBase* promise() const noexcept { return promise_; }
    std::coroutine_handle<> frame() const noexcept { return frame_; }
    Loop* loop = nullptr;        // the loop whose hooks saw it (registration)

private:
    void call_first_iteration_hook();
    std::coroutine_handle<> frame_;
    PromiseBase* promise_;
    std::uint32_t refs_ = 0;
    std::uint32_t handles_ = 0;
    bool hooks_called_ = false;
};

template <class T>
class AsyncGenState final : public AsyncGenStateBase {
public:
    using AsyncGenStateBase::AsyncGenStateBase;
    std::optional<T> value;  // the last yielded value
    std::optional<T> sent;   // what asend() sends (none for anext)
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
            p->state->yielded_ = true;
            hop_to(p->task(), p->continuation());
        }
        // Resumed only by an AgenAwaiter's hop, never by a task step, so no step exception can
        // be pending here; athrow()/aclose() deliver theirs through throw_in.
        std::optional<T> await_resume() const {
            if (p->state->throw_in) std::rethrow_exception(std::exchange(p->state->throw_in, nullptr));
            return std::exchange(p->state->sent, std::nullopt);
        }
    };
    template <class U>
    YieldAwaiter yield_value(U&& v) {
        state->value.emplace(std::forward<U>(v));
        return YieldAwaiter{this};
    }

    AsyncGenState<T>* state = nullptr;  // owned by the AsyncGen handles and awaiters
};

/// The awaitable behind anext/asend/athrow/aclose/next; `R` is what the await gives: T for
/// anext/asend/athrow, std::optional<T> for next(), void for aclose.
template <class T, class R>
class AgenAwaiter {
public:
    enum class Mode : std::uint8_t { kNext, kSend, kThrow, kClose };

    AgenAwaiter(Ref<AsyncGenState<T>> st, Mode mode, std::optional<T> send = std::nullopt,
                std::exception_ptr exc = nullptr)
        : st_(std::move(st)), mode_(mode), send_(std::move(send)), exc_(std::move(exc)) {
        st_->first_iteration();  // the hook fires when the awaitable is made (F1)
    }

    bool await_ready() {
        AsyncGenStateBase& s = *st_;
        if (awaited_) {
            early_ = std::make_exception_ptr(RuntimeError(
                mode_ == Mode::kThrow || mode_ == Mode::kClose ? "cannot reuse already awaited aclose()/athrow()"
                                                               : "cannot reuse already awaited __anext__()/asend()"));
            return true;
        }
        awaited_ = true;
        if (s.running) {
            early_ = std::make_exception_ptr(
                RuntimeError(std::string(method()) + "(): asynchronous generator is already running"));
            return true;
        }
        if (mode_ == Mode::kClose) {
            if (!s.started() || s.finished() || s.closed) {
                s.closed = true;
                exhausted_ = true;
                return true;
            }
            s.throw_in = std::make_exception_ptr(GeneratorExit());
            return false;
        }
        // ag_closed is checked by athrow()/aclose() only: anext after an ignored GeneratorExit
        // resumes the generator (a generator closed before it started stays exhausted).
        if (s.finished() || (s.closed && (mode_ == Mode::kThrow || !s.started()))) {
            exhausted_ = true;
            return true;
        }
        if (!s.started()) {
            if (mode_ == Mode::kThrow) {
                // athrow() before the first anext: raised at once; the generator is closed.
                s.closed = true;
                early_ = exc_;
                return true;
            }
            if (mode_ == Mode::kSend && send_) {
                early_ = std::make_exception_ptr(
                    TypeError("can't send non-None value to a just-started async generator"));
                return true;
            }
        }
        if (mode_ == Mode::kThrow) s.throw_in = exc_;
        st_->sent = std::move(send_);
        return false;
    }
    template <class P>
    void await_suspend(std::coroutine_handle<P> caller) noexcept {
        st_->resume_from(caller, caller.promise().task());
    }
    R await_resume() {
        std::optional<T> v = outcome();
        if constexpr (std::is_void_v<R>) {
            return;
        } else if constexpr (std::is_same_v<R, std::optional<T>>) {
            // athrow(): None for a generator that had already finished; one that finishes
            // now raises StopAsyncIteration, as anext() does.
            if (!v && mode_ == Mode::kThrow && !exhausted_) throw StopAsyncIteration();
            return v;
        } else {
            if (!v) throw StopAsyncIteration();
            return std::move(*v);
        }
    }

private:
    const char* method() const noexcept {
        switch (mode_) {
            case Mode::kThrow: return "athrow";
            case Mode::kClose: return "aclose";
            default: return "anext";
        }
    }
    static bool closes_cleanly(const std::exception_ptr& e) {
        try {
            std::rethrow_exception(e);
        } catch (const GeneratorExit&) {
            return true;
        } catch (const StopAsyncIteration&) {
            return true;
        } catch (...) {
            return false;
        }
    }
    // The yielded value, or none when the generator is exhausted; raises what the generator
    // raised (once), or what aclose() must raise.
    std::optional<T> outcome() {
        AsyncGenStateBase& s = *st_;
        if (early_) std::rethrow_exception(early_);  // refused: whoever is running it still is
        if (exhausted_) return std::nullopt;
        s.running = false;
        if (mode_ == Mode::kClose) {
            s.closed = true;
            if (s.yielded_) {
                s.yielded_ = false;
                throw RuntimeError("async generator ignored GeneratorExit");
            }
            if (auto e = s.promise()->error(); e && !closes_cleanly(e)) std::rethrow_exception(e);
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
    Mode mode_;
    std::optional<T> send_;
    std::exception_ptr exc_;
    std::exception_ptr early_;
    bool exhausted_ = false;
    bool awaited_ = false;  // an awaitable can be awaited once (CPython's awaitable state)
};

}  // namespace detail

/// An async generator object returning values of type T (`async def f(): yield ...`).
/// Copies share one generator. Its frame runs in the task awaiting it.
template <class T>
class [[nodiscard]] AsyncGen {
public:
    using promise_type = detail::AsyncGenPromise<T>;
    using State = detail::AsyncGenState<T>;
    using Awaiter = detail::AgenAwaiter<T, T>;
    using NextAwaiter = detail::AgenAwaiter<T, std::optional<T>>;
    using CloseAwaiter = detail::AgenAwaiter<T, void>;

    explicit AsyncGen(detail::Ref<State> st) : st_(std::move(st)) { st_->add_handle(); }
    AsyncGen(const AsyncGen& o) : st_(o.st_) { st_->add_handle(); }
    AsyncGen& operator=(const AsyncGen& o) {
        AsyncGen copy(o);
        std::swap(st_, copy.st_);
        return *this;
    }
    ~AsyncGen() {
        if (st_) st_->drop_handle();
    }

    /// `anext(g)`: the next value; StopAsyncIteration when exhausted.
    Awaiter anext() const { return Awaiter(st_, Awaiter::Mode::kNext); }
    /// `await g.asend(v)`: resumes the generator with v as the value of its `co_yield`.
    Awaiter asend(std::optional<T> v) const { return Awaiter(st_, Awaiter::Mode::kSend, std::move(v)); }
    /// `await g.athrow(exc)`: raises exc at the suspended `co_yield` and gives the next value;
    /// none (Python's None) when the generator had already finished.
    NextAwaiter athrow(std::exception_ptr exc) const {
        return NextAwaiter(st_, NextAwaiter::Mode::kThrow, std::nullopt, std::move(exc));
    }
    /// `await g.aclose()`: raises GeneratorExit at the suspended `co_yield` (its finally runs).
    CloseAwaiter aclose() const { return CloseAwaiter(st_, CloseAwaiter::Mode::kClose); }
    /// The `async for` step: the next value, or none when exhausted (no StopAsyncIteration thrown):
    /// `while (auto v = co_await g.next()) { ... }`.
    NextAwaiter next() const { return NextAwaiter(st_, NextAwaiter::Mode::kNext); }

    /// `<async_generator object NAME>`.
    std::string repr() const { return st_->repr(); }
    /// Sets the name shown in hooks and reports (Python's `__qualname__`); a string literal.
    AsyncGen&& qualname(const char* name) && noexcept {
        st_->promise()->set_name(name);
        return std::move(*this);
    }
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

}  // namespace corosim
