// task.hpp: Task<T>, a Future that drives a Coro through step/wakeup (SEMANTICS B1-B10;
// python/cpython Lib/asyncio/tasks.py Task.__step, __wakeup, cancel, uncancel).
#pragma once

#include <coroutine>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "corosim/context_var.hpp"
#include "corosim/coro.hpp"
#include "corosim/future.hpp"
#include "corosim/loop.hpp"

namespace corosim {

/// The untyped part of a task: the coroutine chain, the cancellation bookkeeping, the name.
class TaskBase : public FutureBase {
public:
    /// Whether the task is `asyncio.run`'s main task (named "main", consumes no Task-N number),
    /// or no task at all but the driver of a Coro driven by hand (Coro::send): never scheduled,
    /// not numbered, not in all_tasks, and its steps run in the caller's task.
    enum class Kind : std::uint8_t { kNormal, kMain, kDriver };

    /// Task.__init__ (create_task builds a TaskState): `top`/`top_handle` are the coroutine's
    /// outermost frame, which the task owns; `context` is the one it runs in (null: a copy of
    /// the current one). TypeError for an empty coroutine; the first step is queued unless kDriver.
    TaskBase(Loop& loop, detail::PromiseBase* top, std::coroutine_handle<> top_handle, std::string&& name, Kind kind,
             std::shared_ptr<detail::ContextData>&& context = nullptr);
    /// The task's context (contextvars): a copy of its creator's, or the one given.
    detail::ContextData& context() noexcept { return *context_; }
    /// The same context, shared (what a Handle or a child task copies from).
    const std::shared_ptr<detail::ContextData>& context_ptr() const noexcept { return context_; }
    ~TaskBase() override;

    /// The task's name (`Task-N` by default, `main` for the main task). A default name is
    /// formatted on first use: most tasks are never asked for it.
    const std::string& name() const noexcept {
        if (name_.empty() && number_ != 0) [[unlikely]]
            format_default_name();
        return name_;
    }
    /// Per-loop task id (1, 2, ...), never an address.
    std::uint32_t task_id() const noexcept { return task_id_; }
    /// Task.cancel (B6): cancels the awaited future, or arranges a CancelledError at the next step.
    bool cancel(CancelMessage msg = {}) override;
    /// repr(task) as CPython prints it (base_tasks._task_repr), without addresses or source
    /// locations: `<Task pending name='x' coro=<f()> wait_for=<Future pending
    /// cb=[Task.task_wakeup()]>>`, `cancelling` while a cancel is requested and it is not done,
    /// `<Task finished name='x' coro=<f() done> result=1>`, `exception=...`, `<Task cancelled
    /// ...>`, then its pending done callbacks (`cb=[...]`).
    std::string full_repr() const override;
    /// Number of cancellation requests not yet uncancelled (B7).
    int cancelling() const noexcept { return num_cancels_requested_; }
    /// Decrements cancelling(), never below 0; returns the new value (B7). On 3.13
    /// (Compat::uncancel_clears_must_cancel) reaching 0 also drops a cancel not yet delivered.
    int uncancel() noexcept {
        if (num_cancels_requested_ > 0 && --num_cancels_requested_ == 0 && has_loop() &&
            loop().compat().uncancel_clears_must_cancel) {
            must_cancel_ = false;
        }
        return num_cancels_requested_;
    }
    /// The future this task is suspended on, or null.
    FutureBase* fut_waiter() const noexcept { return fut_waiter_; }

    // ---- used by awaiters and the loop ----
    /// Suspends the current step on `fut`; the wakeup arrives through fut's done callback.
    /// `leaf` is the awaiting frame and `promise` its promise.
    void suspend_on(FutureBase* fut, std::coroutine_handle<> leaf, detail::PromiseBase* promise);
    /// Suspends the current step with a bare yield (sleep(0)): the next step is call_soon'd.
    void yield_now(std::coroutine_handle<> leaf, detail::PromiseBase* promise) noexcept {
        leaf_ = leaf;
        leaf_promise_ = promise;
        yielded_ = true;
    }
    /// Makes `h` the next frame this task's step loop resumes (symmetric transfer by hand, so
    /// deep await chains do not grow the C++ stack).
    void hop(std::coroutine_handle<> h) noexcept { next_ = h; }
    /// Throws the exception this step delivers, at the await that resumes. Inline on purpose:
    /// the throw then starts in the coroutine's own frame, which also holds its handler, so
    /// unwinding crosses one frame instead of three (it dominates W5's cost).
    void rethrow_pending() {
        if (pending_throw_) {
            if (!handling_.empty()) chain_pending();
            std::rethrow_exception(std::exchange(pending_throw_, nullptr));
        }
    }
    /// Takes the exception this step delivers without raising it (see Coro::defer_start_exception).
    std::exception_ptr take_pending() noexcept { return std::exchange(pending_throw_, nullptr); }
    /// Makes the next step that delivers no exception deliver `exc` instead (null disarms).
    /// 3.11/3.12 only: an aclose() awaitable that was thrown into before it started stays in
    /// its INIT state, and its next send(None) throws GeneratorExit into the generator
    /// (Objects/genobject.c async_gen_athrow_send); 3.13 fixed it and sends None.
    void set_plain_resume_throw(std::exception_ptr exc) noexcept { plain_resume_throw_ = std::move(exc); }
    /// True while a step that delivers an exception runs (Python's `coro.throw(exc)` rather
    /// than `coro.send(None)`): an aclose() that ends during such a step keeps its generator
    /// marked running on 3.11/3.12 (Compat::aclose_throw_keeps_running).
    bool step_throws() const noexcept { return step_throws_; }
    /// The exceptions being handled by cleanup blocks in this task, innermost last: an exception
    /// thrown in at an await gets the innermost as its `__context__` (SEMANTICS C2, C4).
    std::vector<std::exception_ptr>& handling() noexcept { return handling_; }
    /// The task a queued callback steps or wakes, or null (slow-callback reports).
    static const TaskBase* stepped_by(const detail::Callback& cb) noexcept {
        return (cb.fn == &step_cb || cb.fn == &wakeup_cb) ? static_cast<const TaskBase*>(cb.a) : nullptr;
    }
    /// The task a done callback wakes when it is the task's __wakeup (it holds a reference to
    /// it), or null.
    static TaskBase* woken_by(const detail::Callback& cb) noexcept {
        return cb.fn == &wakeup_cb ? static_cast<TaskBase*>(cb.a) : nullptr;
    }
    /// Kind::kDriver: one hand-driven step (Coro::send/throw_in): resumes the frame where it
    /// stopped with `exc` thrown in (null: a plain send), inside the caller's step. Returns the
    /// future it now awaits (null: a bare yield, or it finished).
    FutureBase* drive(std::exception_ptr exc);
    /// Kind::kDriver: the Coro keeps its frame; the driver must not destroy it.
    void disown_frame() noexcept {
        top_ = nullptr;
        top_handle_ = {};
        leaf_ = next_ = {};
    }
    /// Destroys the coroutine chain without running it (end of a run that could not finish).
    void abandon() noexcept;
    /// What a cyclic collection does to a pending task nothing can reach any more (SEMANTICS
    /// A6, B12): closes its coroutine chain (GeneratorExit at the await it is suspended in,
    /// run inline in the collecting task), reports "Task was destroyed but it is pending!"
    /// through the exception handler, then abandons it.
    void collect();
    /// The innermost frame of a task suspended on a future, or null: where a collection
    /// starts walking the chain's frames (upwards, through PromiseBase::parent()).
    detail::PromiseBase* suspended_leaf() const noexcept { return fut_waiter_ != nullptr ? leaf_promise_ : nullptr; }
    /// The handle of the innermost suspended frame (where the next step resumes).
    std::coroutine_handle<> suspended_leaf_handle() const noexcept { return leaf_; }
    /// True while its coroutine chain exists (not finished, not abandoned).
    bool has_frames() const noexcept { return static_cast<bool>(top_handle_); }

    /// @cond internal
    TaskBase* prev_task = nullptr;  // Loop's pending-task list, creation order
    TaskBase* next_task = nullptr;
    /// @endcond

protected:
    /// Moves the top frame's return value into the task (set_result).
    virtual void take_result() = 0;
    /// The outermost frame's promise (where take_result finds the value).
    detail::PromiseBase* top_promise() const noexcept { return top_; }

private:
    static void step_cb(void* task, void*, bool run);
    static void wakeup_cb(void* task, void*, bool run);
    void schedule_step();
    void step(std::exception_ptr exc, bool exc_is_cancel);
    /// The hop loop: resumes `h` and every frame it hops to until the task suspends.
    void run_hops(std::coroutine_handle<> h) {
        for (; h; h = std::exchange(next_, {})) h.resume();
    }
    /// Forgets what the task is suspended on (its wakeup callback and fut_waiter, or a yield).
    void detach_waiter() noexcept;
    /// coroutine.close() semantics on the suspended chain, for collect().
    void close_chain();
    void finish_frame();

    void format_default_name() const noexcept;

    mutable std::string name_;  // empty while a default `Task-N` name has not been asked for
    const char* coro_name_;  // the coroutine's __qualname__, kept once its frame is gone
    std::shared_ptr<detail::ContextData> context_;
    std::uint32_t task_id_;
    std::uint32_t number_ = 0;  // N of a default `Task-N` name not formatted yet
    detail::PromiseBase* top_;
    std::coroutine_handle<> top_handle_;
    std::coroutine_handle<> leaf_;   // innermost suspended frame: where the next step resumes
    detail::PromiseBase* leaf_promise_ = nullptr;  // its promise
    std::coroutine_handle<> next_;   // the step loop's next hop
    void chain_pending() noexcept;
    std::exception_ptr pending_throw_;
    std::exception_ptr plain_resume_throw_;
    std::vector<std::exception_ptr> handling_;
    FutureBase* fut_waiter_ = nullptr;  // owned reference while set
    int num_cancels_requested_ = 0;
    bool must_cancel_ = false;
    bool yielded_ = false;
    bool step_throws_ = false;
    bool driver_ = false;
};

/// The shared state of a Task<T>.
template <class T>
class TaskState final : public TaskBase, public detail::ValueSlot<T> {
public:
    /// A task of `loop` that owns and runs the coroutine frame `h` (see TaskBase's constructor).
    TaskState(Loop& loop, typename Coro<T>::handle_type h, std::string&& name, Kind kind,
              std::shared_ptr<detail::ContextData>&& context = nullptr)
        : TaskBase(loop, &h.promise(), h, std::move(name), kind, std::move(context)) {}
    /// The coroutine's return type (`void` for Task<void>).
    using value_type = T;
    /// result(): the value, or raises (B10).
    decltype(auto) result() {
        check_result();
        if constexpr (!std::is_void_v<T>) return static_cast<const T&>(*this->value_);
    }

protected:
    std::string result_repr() const override { return this->value_repr(); }

private:
    void take_result() override {
        auto& p = static_cast<detail::CoroPromise<T>&>(*top_promise());
        if constexpr (std::is_void_v<T>) {
            p.take();
        } else {
            this->value_.emplace(p.take());
        }
    }
};

/// asyncio.Task: a handle to a TaskState<T>.
template <class T = void>
class [[nodiscard]] Task {
public:
    /// The shared state the handle refers to.
    using State = TaskState<T>;
    /// An empty handle (false in a bool context); create_task makes real ones.
    Task() = default;
    /// A handle to an existing task state.
    explicit Task(detail::Ref<State> s) : s_(std::move(s)) {}

    /// task.get_name(): `Task-N` unless named at creation.
    const std::string& name() const noexcept { return s_->name(); }
    /// task.done().
    bool done() const noexcept { return s_->done(); }
    /// task.cancelled().
    bool cancelled() const noexcept { return s_->cancelled(); }
    /// task.cancel(msg): requests cancellation, delivered as CancelledError at the task's
    /// current or next await; false when already done (B6). `msg` is any value py_repr shows:
    /// `cancel(42)` raises `CancelledError(42)`, `cancel(None)` is `cancel()`.
    bool cancel(CancelMessage msg = {}) { return s_->cancel(std::move(msg)); }
    /// task.cancelling(): pending cancel requests not yet uncancelled.
    int cancelling() const noexcept { return s_->cancelling(); }
    /// task.uncancel(): decrements cancelling() and returns the new count.
    int uncancel() noexcept { return s_->uncancel(); }
    /// task.result(): the value, or raises the exception, CancelledError or InvalidStateError.
    decltype(auto) result() { return s_->result(); }
    /// repr(task) as CPython prints it, without addresses or source locations
    /// (TaskBase::full_repr; refloop's `full_repr(task)`).
    std::string full_repr() const { return s_->full_repr(); }
    /// task.exception(): null for a result; raises CancelledError or InvalidStateError.
    std::exception_ptr exception() { return s_->exception(); }
    /// The shared state (for APIs taking a TaskBase or FutureBase).
    State* state() const noexcept { return s_.get(); }
    /// True unless default-constructed.
    explicit operator bool() const noexcept { return static_cast<bool>(s_); }

    /// task.add_done_callback(fn): once the task is done, `fn(task)` runs as its own loop
    /// callback (call_soon), before a task awaiting it resumes if added earlier, in a copy of the
    /// context current now; `name` is how reports show it (`bad(<Task Task-1>)`). Returns the id
    /// remove_done_callback takes.
    DoneCallbackId add_done_callback(std::function<void(Task)> fn, std::string name = "callback") {
        return s_->add_user_callback(
            [fn = std::move(fn)](FutureBase& f) { fn(Task(detail::Ref<State>(static_cast<State*>(&f)))); },
            [](FutureBase& f) { return "<Task " + static_cast<State&>(f).name() + ">"; }, std::move(name));
    }
    /// task.remove_done_callback: drops registration `id` if not yet queued; returns 0 or 1.
    std::size_t remove_done_callback(DoneCallbackId id) noexcept { return s_->remove_user_callback(id); }

    /// Identity (Python's `is`): both handles refer to the same task.
    friend bool operator==(const Task& a, const Task& b) noexcept { return a.s_.get() == b.s_.get(); }

    /// `await task`: suspends until the task is done, then gives its result (B4).
    detail::FutureAwaiter<State> operator co_await() const noexcept { return detail::FutureAwaiter<State>(s_.get()); }

private:
    detail::TrackedRef<State> s_;
};

/// asyncio.current_task(): the task whose step is running, or null.
inline TaskBase* current_task() { return running_loop().current_task(); }

namespace detail {
/// Takes `coro` only once the task exists: a refusal (RuntimeError, TypeError) leaves it with
/// the caller, as a Python caller keeps its own reference to a coroutine create_task refused.
/// The name and context go by reference down to the task's members (no temporaries per task).
template <class T>
Task<T> make_task(Coro<T>& coro, std::string&& name, std::shared_ptr<ContextData>&& context) {
    Loop& loop = running_loop();
    // Not modelled: CPython wraps a started coroutine and its task goes on from where it
    // stopped (or fails with the RuntimeError at its first step once the coroutine finished);
    // here a started frame points at its driver or awaiter, so create_task refuses it.
    if (coro.state() == CoroState::kSuspended) throw RuntimeError("a started coroutine cannot become a task");
    if (coro.state() == CoroState::kClosed) throw RuntimeError("cannot reuse already awaited coroutine");
    if (!name.empty()) loop.next_task_number();  // 3.12: loop.create_task numbers it, then set_name (B2)
    return Task<T>(Ref<TaskState<T>>(
        new TaskState<T>(loop, coro.release(), std::move(name), TaskBase::Kind::kNormal, std::move(context))));
}
}  // namespace detail

/// asyncio.create_task: wraps `coro` in a task scheduled on the running loop (B1). An empty
/// `name` gives `Task-N`; a given name still consumes a number, as in 3.11/3.12 (B2).
template <class T>
Task<T> create_task(Coro<T>&& coro, std::string name = {}) {
    return detail::make_task(coro, std::move(name), nullptr);
}

/// The same for a coroutine the caller keeps in a variable (`c = f(); asyncio.create_task(c)`):
/// `coro` is moved into the task; when create_task raises instead (no running loop, a started
/// or closed coroutine) it still holds the coroutine, to close or await.
template <class T>
Task<T> create_task(Coro<T>& coro, std::string name = {}) {
    return detail::make_task(coro, std::move(name), nullptr);
}

/// asyncio.create_task(coro, context=ctx): the task runs in `ctx` itself, so its writes show
/// through `ctx`.
template <class T>
Task<T> create_task(Coro<T>&& coro, std::string name, const Context& context) {
    return detail::make_task(coro, std::move(name), std::shared_ptr<detail::ContextData>(context.data()));
}

template <class S>
template <class P>
void detail::FutureAwaiter<S>::await_suspend(std::coroutine_handle<P> caller) noexcept {
    task_ = caller.promise().task();
    task_->suspend_on(state_, caller, &caller.promise());
}

template <class S>
decltype(auto) detail::FutureAwaiter<S>::await_resume() {
    if (task_) task_->rethrow_pending();
    return state_->result();
}

template <class T>
Future<T>::Future(detail::SourceFile file, std::uint32_t line) : s_(new State(running_loop())) {
    s_->set_created_at(file.file, line);
}

}  // namespace corosim
