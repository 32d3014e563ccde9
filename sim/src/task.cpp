#include "corosim/task.hpp"

#include "corosim/combinators.hpp"

#include <cxxabi.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <typeinfo>

namespace corosim {

namespace detail {

bool current_exception_is_cancel() noexcept {
    // Reads the in-flight exception's type without rethrowing it: a rethrow costs about a
    // microsecond, and every cancelled task ends through here.
    const std::type_info* t = abi::__cxa_current_exception_type();
    return t != nullptr && *t == typeid(CancelledError);
}

bool current_exception_is_fatal() noexcept {
    // Subclasses count too, so this rethrows; only failing (not cancelled) tasks get here.
    try {
        throw;
    } catch (const SystemExit&) {
        return true;
    } catch (const KeyboardInterrupt&) {
        return true;
    } catch (...) {
        return false;
    }
}

void warn_never_awaited(const char* name) {
    if (Loop* loop = Loop::current()) {
        loop->count_never_awaited();
        loop->line(std::string("warning category=RuntimeWarning message=coroutine '") + name + "' was never awaited");
    }
}

void rethrow_pending(TaskBase* task) { task->rethrow_pending(); }

ContextData& current_context() {
    Loop& loop = running_loop();
    if (TaskBase* t = loop.current_task()) return t->context();
    return loop.callback_context();
}

const std::shared_ptr<ContextData>& current_context_ptr() {
    Loop& loop = running_loop();
    if (TaskBase* t = loop.current_task()) return t->context_ptr();
    return loop.callback_context_ptr();
}

void hop_to(TaskBase* task, std::coroutine_handle<> h) noexcept { task->hop(h); }

namespace {
// Contexts come from the frame pool like tasks and frames: one is made per task, and malloc
// plus free was a tenth of a trivial task's cost.
template <class T>
struct PoolAllocator {
    using value_type = T;
    PoolAllocator() = default;
    template <class U>
    PoolAllocator(const PoolAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)
    T* allocate(std::size_t n) { return static_cast<T*>(frame_alloc(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { frame_free(p, n * sizeof(T)); }
    template <class U>
    bool operator==(const PoolAllocator<U>&) const noexcept {
        return true;
    }
};
}  // namespace

std::shared_ptr<ContextData> copy_context_data(const ContextData& from) {
    return std::allocate_shared<ContextData>(PoolAllocator<ContextData>(), from);
}

namespace {
// The stand-in task a hand-driven Coro hops through; the Coro keeps the frame and the value.
class DriverTask final : public TaskBase {
public:
    DriverTask(Loop& loop, PromiseBase* top, std::coroutine_handle<> h) : TaskBase(loop, top, h, "", Kind::kDriver) {
        // The Coro that owns it may be kept past the run: ~Loop then orphans it like a handle's future.
        node_.target = this;
        loop.track_handle(node_);
    }
    ~DriverTask() override { node_.unlink(); }
    DriverTask(const DriverTask&) = delete;
    DriverTask& operator=(const DriverTask&) = delete;

private:
    void take_result() override {}
    TrackedNode node_;
};
}  // namespace

FutureBase* drive_step(PromiseBase& p, std::coroutine_handle<> h, std::exception_ptr exc) {
    // A Coro kept past its run: its driver was orphaned when the loop went (asyncio raises
    // 'Event loop is closed' for what needs a closed loop).
    if (p.hand_driven() && !p.task()->has_loop()) throw RuntimeError("Event loop is closed");
    if (!p.hand_driven()) {
        Loop& loop = running_loop();
        auto* d = new DriverTask(loop, &p, h);
        d->add_ref();  // the Coro's, dropped by drive_finalize
        p.set_hand_driven();
    }
    return p.task()->drive(std::move(exc));
}

void drive_close(PromiseBase& p) {
    if (!p.task()->has_loop()) throw RuntimeError("Event loop is closed");
    p.task()->drive(std::make_exception_ptr(GeneratorExit()));
    if (p.state() != CoroState::kClosed) throw RuntimeError("coroutine ignored GeneratorExit");
    if (p.error() && !holds<GeneratorExit>(p.error())) std::rethrow_exception(p.error());
}

void drive_finalize(PromiseBase& p) noexcept {
    TaskBase* d = p.task();
    if (p.state() == CoroState::kSuspended && d->has_loop() && Loop::current() == &d->loop()) {
        try {
            drive_close(p);
        } catch (...) {
            d->loop().report_unraisable(std::string("<coroutine object ") + p.name() + ">", std::current_exception());
        }
    }
    d->disown_frame();
    d->release();
}

}  // namespace detail

TaskBase::TaskBase(Loop& loop, detail::PromiseBase* top, std::coroutine_handle<> top_handle, std::string&& name,
                   Kind kind, std::shared_ptr<detail::ContextData>&& context)
    : FutureBase(loop),
      name_(std::move(name)),
      coro_name_(top != nullptr ? top->name() : "?"),
      // Task.__init__: contextvars.copy_context() unless a context is given.
      context_(context ? std::move(context) : detail::copy_context_data(detail::current_context())),
      task_id_(kind == Kind::kDriver ? 0 : loop.next_task_id()),  // a driver is no task: no id
      top_(top),
      top_handle_(top_handle),
      leaf_(top_handle),
      driver_(kind == Kind::kDriver) {
    static const bool wakeup_named = detail::name_callback(&wakeup_cb, "Task.task_wakeup");
    (void)wakeup_named;
    if (!top_handle) throw TypeError("a coroutine was expected, got None");
    if (driver_) {
        top_->set_task(this);
        return;
    }
    // A default `Task-N` name goes into the trace (and its hash) from a stack buffer; the
    // string itself is made only if someone asks for it (name()).
    char buf[32];
    std::string_view traced = name_;
    if (name_.empty() && kind == Kind::kMain) {
        name_ = traced = "main";
    } else if (name_.empty()) {
        const std::uint64_t n = loop.next_task_number();
        std::memcpy(buf, "Task-", 5);
        const char* end = std::to_chars(buf + 5, buf + sizeof buf, n).ptr;
        traced = std::string_view(buf, static_cast<std::size_t>(end - buf));
        if (n <= UINT32_MAX) {
            number_ = static_cast<std::uint32_t>(n);
        } else {
            name_ = traced;
        }
    }
    top_->set_task(this);
    TaskBase* creator = loop.current_task();
    loop.trace().record_text(loop.time(), creator ? creator->task_id() : 0, EventKind::kTaskCreate, task_id_, 0, traced,
                             "");
    loop.link_task(this);
    schedule_step();
}

TaskBase::~TaskBase() {
    if (!has_loop()) {  // kept by a handle (or a hand-driven Coro) after its loop was destroyed
        // A hand-driven coroutine dropped after its run still holds the future it last awaited.
        detach_waiter();
        if (top_handle_) detail::destroy_frame(std::exchange(top_handle_, {}));
        return;
    }
    // The report's text only when there is a report: most tasks never need it.
    if (log_traceback_ && exc_) report_unretrieved("Task", "<Task " + name() + ">");
    if (fut_waiter_ != nullptr || top_handle_) abandon();
    loop_->unlink_task(this);
}

void TaskBase::format_default_name() const noexcept {
    char buf[32];
    std::memcpy(buf, "Task-", 5);
    const char* end = std::to_chars(buf + 5, buf + sizeof buf, number_).ptr;
    name_.assign(buf, static_cast<std::size_t>(end - buf));  // at most 15 characters: no allocation
}

void TaskBase::chain_pending() noexcept {
    try {
        detail::chain_context(pending_throw_, handling_.back());
    } catch (...) {
    }
}

void TaskBase::schedule_step() {
    add_ref();
    loop_->schedule({&TaskBase::step_cb, this, nullptr});
}

void TaskBase::step_cb(void* task, void*, bool run) {
    auto* self = static_cast<TaskBase*>(task);
    if (run) self->step(nullptr, false);
    self->release();
}

void TaskBase::wakeup_cb(void* task, void* fut, bool run) {
    auto* self = static_cast<TaskBase*>(task);
    if (run) {
        // __wakeup: future.result() decides between a plain step and a step with its exception.
        bool is_cancel = false;
        std::exception_ptr exc = static_cast<FutureBase*>(fut)->wake_exception(is_cancel);
        self->step(std::move(exc), is_cancel);
    }
    self->release();
}

void TaskBase::suspend_on(FutureBase* fut, std::coroutine_handle<> leaf, detail::PromiseBase* promise) {
    fut->add_ref();
    fut_waiter_ = fut;
    leaf_ = leaf;
    leaf_promise_ = promise;
    if (driver_) [[unlikely]]
        return;  // Future.__await__ yields the future to whoever drives the coroutine by hand
    add_ref();
    fut->add_callback({&TaskBase::wakeup_cb, this, fut});
}

std::string TaskBase::full_repr() const {
    // base_tasks._task_repr_info: the future's info, status `cancelling` while a cancel is
    // pending, then name, coro and wait_for inserted after the status.
    std::vector<std::string> info = repr_info();
    if (num_cancels_requested_ > 0 && !done()) info[0] = "cancelling";
    std::vector<std::string> head{info[0], "name=" + py_str_repr(name()),
                                  std::string("coro=<") + coro_name_ + (done() ? "() done>" : "()>")};
    if (fut_waiter_ != nullptr) head.push_back("wait_for=" + fut_waiter_->full_repr());
    std::string out = "<Task";
    for (const auto& part : head) out += " " + part;
    for (std::size_t i = 1; i < info.size(); ++i) out += " " + info[i];
    return out + ">";
}

bool TaskBase::cancel(CancelMessage msg) {
    log_traceback_ = false;
    if (done()) return false;
    ++num_cancels_requested_;
    TaskBase* current = loop_->current_task();
    loop_->trace().record(loop_->time(), current ? current->task_id() : 0, EventKind::kCancel, task_id_, 0);
    if (fut_waiter_ != nullptr && fut_waiter_->cancel(msg)) return true;
    must_cancel_ = true;
    cancel_message_ = std::move(msg);
    return true;
}

void TaskBase::step(std::exception_ptr exc, bool exc_is_cancel) {
    if (done() || !top_handle_) return;
    if (must_cancel_) {
        if (!exc || !exc_is_cancel) exc = make_cancelled_error();
        must_cancel_ = false;
    }
    // A throw() into the coroutine; the 3.11/3.12 aclose() quirk below is a send() in CPython.
    step_throws_ = exc != nullptr;
    if (!exc && plain_resume_throw_) exc = std::exchange(plain_resume_throw_, nullptr);
    if (fut_waiter_ != nullptr) std::exchange(fut_waiter_, nullptr)->release();

    TaskBase* const prev = loop_->current_task();
    loop_->set_current_task(this);
    loop_->trace().record(loop_->time(), task_id_, EventKind::kStep);
    pending_throw_ = std::move(exc);
    // The hop loop: each resume returns when its frame awaits a coroutine (next_ = callee),
    // finishes (next_ = its awaiter) or suspends the task (next_ stays empty).
    run_hops(std::exchange(leaf_, {}));
    pending_throw_ = nullptr;
    step_throws_ = false;

    if (top_->state() == detail::CoroState::kClosed) {
        finish_frame();
    } else if (fut_waiter_ != nullptr) {
        loop_->trace().record(loop_->time(), task_id_, EventKind::kSuspend, static_cast<std::int64_t>(fut_waiter_->id()));
        if (must_cancel_ && fut_waiter_->cancel(cancel_message_)) must_cancel_ = false;
    } else if (yielded_) {
        yielded_ = false;
        loop_->trace().record(loop_->time(), task_id_, EventKind::kSuspend, 0);
        schedule_step();
    }
    loop_->set_current_task(prev);
}

FutureBase* TaskBase::drive(std::exception_ptr exc) {
    if (loop_->driving() == this) throw ValueError("coroutine already executing");
    // Future.__await__ after its yield: a future that is still pending was not waited for.
    if (!exc && fut_waiter_ != nullptr && !fut_waiter_->done()) {
        exc = std::make_exception_ptr(RuntimeError("await wasn't used with future"));
    }
    if (fut_waiter_ != nullptr) std::exchange(fut_waiter_, nullptr)->release();
    yielded_ = false;
    TaskBase* const outer = loop_->driving();
    loop_->set_driving(this);
    pending_throw_ = std::move(exc);
    run_hops(std::exchange(leaf_, {}));
    pending_throw_ = nullptr;
    loop_->set_driving(outer);
    return fut_waiter_;
}

void TaskBase::finish_frame() {
    // Read the outcome, then free the frame (Python clears a frame as its coroutine returns),
    // then complete the future so done callbacks see the final state.
    std::exception_ptr error = top_->error();
    const bool error_is_cancel = top_->error_is_cancel();
    const bool error_is_fatal = top_->error_is_fatal();
    if (!error && !must_cancel_) take_result();
    detail::destroy_frame(std::exchange(top_handle_, {}));
    top_ = nullptr;
    loop_->unlink_task(this);

    std::int64_t how = 0;
    if (error && error_is_cancel) {
        cancelled_exc_ = std::move(error);
        future_cancel(std::nullopt);
        how = 2;
    } else if (error) {
        exc_ = error;
        state_ = State::kFinished;
        log_traceback_ = true;
        schedule_callbacks();
        how = 1;
        if (error_is_fatal) {  // set_exception, then `raise` (B3)
            loop_->keep_until_end(this);
            loop_->raise_fatal(std::move(error));
        }
    } else if (must_cancel_) {
        must_cancel_ = false;
        future_cancel(cancel_message_);
        how = 2;
    } else {
        finish_with_result();
    }
    loop_->trace().record(loop_->time(), task_id_, EventKind::kTaskDone, how);
}

void TaskBase::detach_waiter() noexcept {
    if (fut_waiter_ != nullptr) {
        fut_waiter_->remove_callbacks_for(this);
        std::exchange(fut_waiter_, nullptr)->release();
    }
    yielded_ = false;
}

namespace {
std::string coroutine_repr(const detail::PromiseBase* p) { return std::string("<coroutine object ") + p->name() + ">"; }
}  // namespace

void TaskBase::close_chain() {
    // Python finalises each unreachable coroutine with close(): GeneratorExit at the await the
    // chain is suspended in, which the hop loop carries outwards frame by frame exactly as
    // close() recurses through `await` (Objects/genobject.c gen_close). The code runs inside
    // the collecting task: current_task() and the trace name it, as in CPython.
    detach_waiter();
    pending_throw_ = std::make_exception_ptr(GeneratorExit());
    run_hops(std::exchange(leaf_, {}));
    while (top_->state() != detail::CoroState::kClosed) {
        // The frame at leaf_promise_ awaited again instead of finishing: "ignored GeneratorExit".
        detail::PromiseBase* ignorer = leaf_promise_;
        const std::coroutine_handle<> at = std::exchange(leaf_, {});
        detach_waiter();
        const auto ignored = std::make_exception_ptr(RuntimeError("coroutine ignored GeneratorExit"));
        if (ignorer == top_ || ignorer->parent() == nullptr) {
            pending_throw_ = nullptr;
            loop_->report_unraisable(coroutine_repr(top_), ignored);
            return;
        }
        // gen_close raises that RuntimeError into the awaiting frame; unwinding past its await
        // drops the ignoring coroutine, whose own finaliser closes it once more first.
        const std::coroutine_handle<> parent = ignorer->continuation();
        ignorer->set_continuation({});
        pending_throw_ = std::make_exception_ptr(GeneratorExit());
        run_hops(at);
        if (ignorer->state() != detail::CoroState::kClosed) {
            detach_waiter();
            leaf_ = {};
            loop_->report_unraisable(coroutine_repr(ignorer), ignored);
        } else if (ignorer->error() && !holds<GeneratorExit>(ignorer->error())) {
            loop_->report_unraisable(coroutine_repr(ignorer), ignorer->error());
        }
        ignorer->set_continuation(parent);
        pending_throw_ = nullptr;
        ignorer->finish_with_error(ignored, false, false);
        run_hops(std::exchange(next_, {}));
    }
    pending_throw_ = nullptr;
    if (top_->error() && !holds<GeneratorExit>(top_->error())) loop_->report_unraisable(coroutine_repr(top_), top_->error());
}

void TaskBase::collect() {
    add_ref();  // until the end: abandoning drops the references its cycle held
    close_chain();
    try {
        loop_->call_exception_handler({"Task was destroyed but it is pending!", nullptr,
                                       {{"task", ContextValue::object("<Task " + name() + ">")}}});
    } catch (...) {
    }
    abandon();
    release();
}

void TaskBase::abandon() noexcept {
    // It will never finish, so nothing waiting for it will run: drop those callbacks, which
    // can hold references back to this task (a TaskGroup's, for one) and would leak as a
    // cycle. Callers hold a reference across this call.
    discard_callbacks();
    detach_waiter();
    if (top_handle_) {
        top_ = nullptr;
        leaf_ = next_ = {};
        detail::destroy_frame(std::exchange(top_handle_, {}));
    }
    loop_->unlink_task(this);
}

}  // namespace corosim
