#include "corosim/loop.hpp"

#include <algorithm>
#include <cstdio>

#include "corosim/context_var.hpp"
#include "corosim/exceptions.hpp"
#include "corosim/future.hpp"
#include "corosim/task.hpp"

namespace corosim {

namespace {
thread_local Loop* t_running = nullptr;

// _run_once clamps select()'s timeout to MAXIMUM_SELECT_TIMEOUT (24 hours).
constexpr Nanos kMaxSelectTimeout = seconds(24 * 3600);
// _MIN_SCHEDULED_TIMER_HANDLES; the cancelled fraction threshold is 0.5.
constexpr std::size_t kMinScheduledTimerHandles = 100;

// repr(handle) for a live callback (cancelled ones never run): `<Handle bad(1)>`, and for a
// call_later/call_at one TimerHandle's, whose _repr_info puts `when=` (loop time, a float) first.
std::string handle_repr(bool timer, Nanos when, const std::string& name) {
    if (!timer) return "<Handle " + name + ">";
    return "<TimerHandle when=" + py_float_repr(static_cast<double>(when) / 1e9) + " " + name + ">";
}

// `bad(1)` as 3.13 formats a callback outside debug mode: `bad()` (format_helpers.py
// _format_args_and_kwargs returns '()' unless debug).
std::string without_args(const std::string& name) {
    const std::size_t open = name.find('(');
    return open == std::string::npos ? name : name.substr(0, open) + "()";
}
}  // namespace

Loop* Loop::current() noexcept { return t_running; }

Loop* Loop::set_current(Loop* loop) noexcept { return std::exchange(t_running, loop); }

Loop& running_loop() {
    if (t_running == nullptr) throw RuntimeError("no running event loop");
    return *t_running;
}

Loop::Loop(LoopOptions options)
    : options_(options),
      anchor_(new detail::LoopAnchor{this, 1}),
      trace_(options.trace_level), root_context_(std::make_shared<detail::ContextData>()) {
    ready_.resize(64);
    tracked_.prev = tracked_.next = &tracked_;
}

Loop::~Loop() {
    release_kept();
    discard_all();
    // Handles that outlive the loop keep their futures: cut those futures' link to it.
    while (tracked_.next != &tracked_) {
        detail::TrackedNode* n = tracked_.next;
        n->target->orphan();
        n->unlink();
    }
    // Handles, async generators and primitives kept past the run now see no loop.
    anchor_->loop = nullptr;
    detail::LoopRef::release(anchor_);
}

void Loop::keep_until_end(FutureBase* f) {
    f->add_ref();
    kept_.push_back(f);
}

void Loop::release_kept() noexcept {
    std::vector<FutureBase*> kept = std::move(kept_);
    kept_.clear();
    for (FutureBase* f : kept) f->release();
}

// ---- handles ----

void Handle::cancel() {
    if (Loop* loop = loop_.get()) loop->cancel_handle(slot_, gen_);
}

// Once the loop is gone every callback was purged (discard_all), so the handle is inert.
bool Handle::cancelled() const {
    const Loop* loop = loop_.get();
    if (loop == nullptr) return false;
    const auto& rec = loop->handles_[slot_];
    return rec.gen == gen_ && rec.cancelled;
}

namespace {
// A record slot: the most recently freed one, else a new one appended to `records`.
template <class Rec>
std::uint32_t take_slot(std::vector<std::uint32_t>& free_list, std::vector<Rec>& records) {
    if (free_list.empty()) {
        records.emplace_back();
        return static_cast<std::uint32_t>(records.size() - 1);
    }
    const std::uint32_t slot = free_list.back();
    free_list.pop_back();
    return slot;
}
}  // namespace

std::uint32_t Loop::alloc_handle() {
    const std::uint32_t slot = take_slot(free_handles_, handles_);
    HandleRec& rec = handles_[slot];
    rec.user = 0;
    rec.timer = false;
    rec.internal = false;
    rec.cancelled = false;
    rec.scheduled = false;
    rec.live = true;
    return slot;
}

void Loop::free_handle(std::uint32_t slot) {
    HandleRec& rec = handles_[slot];
    const std::uint32_t user = std::exchange(rec.user, 0);
    rec.cb = {};
    rec.live = false;
    ++rec.gen;
    free_handles_.push_back(slot);
    if (user != 0) release_user(user - 1);
}

Loop::UserHandleRec& Loop::attach_user(std::uint32_t slot) {
    const std::uint32_t index = take_slot(free_user_handles_, user_handles_);
    handles_[slot].user = index + 1;
    return user_handles_[index];
}

// The callback and its context are both moved out before the slot is freed and before they are
// destroyed: their destructors may schedule callbacks, which can move these vectors and take
// this very slot again.
void Loop::release_user(std::uint32_t index) noexcept {
    std::function<void()> fn = std::move(user_handles_[index].fn);
    user_handles_[index].fn = nullptr;
    const std::shared_ptr<detail::ContextData> context = std::move(user_handles_[index].context);
    free_user_handles_.push_back(index);
    fn = nullptr;  // the callback first, then its context, as before
}

void Loop::cancel_handle(std::uint32_t slot, std::uint32_t gen) {
    HandleRec& rec = handles_[slot];
    if (!rec.live || rec.gen != gen || rec.cancelled) return;
    rec.cancelled = true;
    if (rec.scheduled) ++timer_cancelled_count_;  // _timer_handle_cancelled
    // Release what the callback holds now, as CPython drops the callback on cancel.
    if (rec.cb.fn) std::exchange(rec.cb, {}).discard();
    if (const std::uint32_t user = handles_[slot].user; user != 0) {
        std::function<void()> fn = std::move(user_handles_[user - 1].fn);
        user_handles_[user - 1].fn = nullptr;
        fn = nullptr;
        const std::shared_ptr<detail::ContextData> context = std::move(user_handles_[user - 1].context);
    }
}

void Loop::run_handle(void* loop, void* slot_ptr, bool run) {
    Loop& self = *static_cast<Loop*>(loop);
    const auto slot = static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(slot_ptr));
    HandleRec& rec = self.handles_[slot];
    const bool cancelled = rec.cancelled;
    const detail::Callback cb = std::exchange(rec.cb, {});
    if (rec.user == 0) {  // the runtime's own callback: nothing else to take
        self.free_handle(slot);
        if (cancelled || !cb.fn) return;
        if (run) {
            cb.invoke();
        } else {
            cb.discard();
        }
        return;
    }
    UserHandleRec& user = self.user_handles_[rec.user - 1];
    std::function<void()> fn = std::move(user.fn);
    std::shared_ptr<detail::ContextData> context = std::move(user.context);
    std::string name = std::move(user.name);
    const bool timer = rec.timer;
    const Nanos when = rec.when;
    self.free_handle(slot);
    if (cancelled) return;
    if (!run) {
        if (cb.fn) cb.discard();
        return;
    }
    if (cb.fn) {
        cb.invoke();
    } else if (fn) {
        // Handle._run (G6): the callback runs in its context (self._context.run(...)); an
        // exception in it goes to the exception handler, which 3.12's call_exception_handler runs
        // in the handle's context too (handle.get_context()); KeyboardInterrupt and SystemExit
        // leave the loop (G7).
        struct InContext {
            Loop& loop;
            std::shared_ptr<detail::ContextData> previous;
            InContext(Loop& l, std::shared_ptr<detail::ContextData> ctx)
                : loop(l), previous(std::exchange(l.running_context_, std::move(ctx))) {}
            ~InContext() { loop.running_context_ = std::move(previous); }
            InContext(const InContext&) = delete;
            InContext& operator=(const InContext&) = delete;
        };
        const InContext in_context(self, std::move(context));
        try {
            fn();
        } catch (...) {
            std::exception_ptr exc = std::current_exception();
            if (is_loop_fatal(exc)) {
                self.raise_fatal(exc);
                return;
            }
            if (self.options_.compat.handle_repr_hides_args && !self.debug_) name = without_args(name);
            ContextValue handle = ContextValue::object(handle_repr(timer, when, name));
            self.call_exception_handler({"Exception in callback " + name, exc, {{"handle", std::move(handle)}}});
        }
    }
}

// Handle.__init__: `context = contextvars.copy_context()` (a new Context sharing the current
// immutable mapping; the map itself is not copied).
std::shared_ptr<detail::ContextData> Loop::copy_current_context() {
    const detail::ContextData& now = current_task_ != nullptr ? current_task_->context() : callback_context();
    return detail::copy_context_data(now);
}

Handle Loop::call_soon(std::function<void()> fn, std::string name) {
    return call_soon_in_context(copy_current_context(), std::move(fn), std::move(name));
}

Handle Loop::call_soon_in_context(std::shared_ptr<detail::ContextData> context, std::function<void()> fn,
                                  std::string name) {
    const std::uint32_t slot = alloc_handle();
    UserHandleRec& user = attach_user(slot);
    user.fn = std::move(fn);
    user.context = std::move(context);
    user.name = std::move(name);
    ready_push({&Loop::run_handle, this, reinterpret_cast<void*>(static_cast<std::uintptr_t>(slot))});
    return Handle(ref(), slot, handles_[slot].gen);
}

Handle Loop::call_later(Duration delay, std::function<void()> fn, std::string name) {
    return call_at(now_ + delay, std::move(fn), std::move(name));
}

Handle Loop::call_at(Nanos when, std::function<void()> fn, std::string name) {
    std::shared_ptr<detail::ContextData> context = copy_current_context();
    Handle h = add_timer(when, {});
    UserHandleRec& user = attach_user(h.slot_);
    user.fn = std::move(fn);
    user.context = std::move(context);
    user.name = std::move(name);
    return h;
}

Handle Loop::add_timer(Nanos when, detail::Callback cb) {
    const std::uint32_t slot = alloc_handle();
    HandleRec& rec = handles_[slot];
    rec.cb = cb;
    rec.timer = true;
    rec.when = when;
    rec.scheduled = true;
    rec.seq = ++timer_seq_;
    rec.internal = cb.fn != nullptr;
    timers_.push({when + jitter_for_timer(), slot});
    trace_.record(now_, current_task_ ? current_task_->task_id() : 0, EventKind::kTimerSet, when,
                  static_cast<std::int64_t>(rec.seq));
    return Handle(ref(), slot, rec.gen);
}

// ---- ready queue ----

void Loop::ready_push(detail::Callback cb) {
    // Capacity stays a power of two so positions wrap with a mask, not a division.
    if (ready_count_ == ready_.size()) {
        std::vector<detail::Callback> bigger(ready_.size() * 2);
        const std::size_t mask = ready_.size() - 1;
        for (std::size_t i = 0; i < ready_count_; ++i) bigger[i] = ready_[(ready_head_ + i) & mask];
        ready_ = std::move(bigger);
        ready_head_ = 0;
    }
    ready_[(ready_head_ + ready_count_) & (ready_.size() - 1)] = cb;
    ++ready_count_;
}

// Removes the item `index` places from the front, keeping the others in order.
detail::Callback Loop::ready_take(std::size_t index) {
    const std::size_t mask = ready_.size() - 1;
    detail::Callback cb = ready_[(ready_head_ + index) & mask];
    for (std::size_t i = index; i > 0; --i) ready_[(ready_head_ + i) & mask] = ready_[(ready_head_ + i - 1) & mask];
    ready_head_ = (ready_head_ + 1) & mask;
    --ready_count_;
    return cb;
}

// ---- choice points (DESIGN 3) ----

std::uint32_t Loop::ask(const ChoicePoint& point) {
    std::uint32_t pick = options_.policy->choose(point);
    if (pick >= point.n) pick = 0;
    choices_.push_back(pick);
    if (pick != 0) {
        // The task FIFO order would have run goes with the event, so a report can say in task
        // terms what the choice changed ("Task-2 ran before Task-1").
        const std::uint32_t fifo_task = point.kind == ChoiceKind::kRunnable ? point.task(0) : 0;
        trace_.record(now_, 0, EventKind::kChoice,
                      static_cast<std::int64_t>(point.n) | (static_cast<std::int64_t>(fifo_task) << 32),
                      static_cast<std::int64_t>(pick) | (static_cast<std::int64_t>(point.kind) << 32));
    }
    return pick;
}

std::uint32_t Loop::ready_task_of(const void* ctx, std::uint32_t i) {
    const Loop& self = *static_cast<const Loop*>(ctx);
    const TaskBase* t = TaskBase::stepped_by(self.ready_[(self.ready_head_ + i) & (self.ready_.size() - 1)]);
    return t != nullptr ? t->task_id() : 0;
}

std::uint64_t Loop::ready_internal(const void* ctx, std::uint32_t i) {
    const Loop& self = *static_cast<const Loop*>(ctx);
    const detail::Callback& cb = self.ready_[(self.ready_head_ + i) & (self.ready_.size() - 1)];
    if (cb.fn != &Loop::run_handle) return 0;
    const auto slot = static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(cb.b));
    const HandleRec& rec = self.handles_[slot];
    return rec.internal ? (static_cast<std::uint64_t>(rec.gen) << 32 | slot) + 1 : 0;
}

Nanos Loop::jitter_for_timer() {
    // Asked only of a policy that wants jitter, so FIFO and plain random runs keep CPython's
    // timer order and their recorded choice sequences.
    if (options_.policy == nullptr) return 0;
    const Nanos j = options_.policy->jitter();
    if (j <= 0) return 0;
    ChoicePoint point;
    point.kind = ChoiceKind::kTimerJitter;
    point.n = kJitterOptions;
    return j * static_cast<Nanos>(ask(point)) / static_cast<Nanos>(kJitterOptions - 1);
}

bool Loop::buggify(std::string_view site, std::uint32_t percent) {
    if (options_.policy == nullptr || !options_.policy->faults() || percent == 0) return false;
    ChoicePoint point;
    point.kind = ChoiceKind::kBuggify;
    point.n = 2;
    point.percent = std::min<std::uint32_t>(percent, 100);
    point.site = site;
    const bool fired = ask(point) == 1;
    if (fired) line(std::string("buggify site=") + std::string(site));
    return fired;
}

std::uint32_t Loop::choose(ChoiceKind kind, std::uint32_t n, std::string_view site) {
    if (options_.policy == nullptr || n < 2) return 0;
    if (!options_.policy->faults() && (kind == ChoiceKind::kFault || options_.policy->jitter() <= 0)) return 0;
    ChoicePoint point;
    point.kind = kind;
    point.n = n;
    point.site = site;
    return ask(point);
}

bool buggify(std::string_view site, std::uint32_t percent) { return running_loop().buggify(site, percent); }

// ---- _run_once ----

void Loop::purge_cancelled_timers() {
    const std::size_t sched_count = timers_.size();
    if (sched_count > kMinScheduledTimerHandles && timer_cancelled_count_ * 2 > sched_count) {
        auto& items = timers_.items();
        std::vector<detail::TimerEntry> kept;
        kept.reserve(items.size());
        for (const auto& e : items) {
            if (handles_[e.slot].cancelled) {
                free_handle(e.slot);
            } else {
                kept.push_back(e);
            }
        }
        items = std::move(kept);
        timers_.heapify();
        timer_cancelled_count_ = 0;
    } else {
        while (!timers_.empty() && handles_[timers_.top().slot].cancelled) {
            --timer_cancelled_count_;
            free_handle(timers_.pop().slot);
        }
    }
}

LoopStatus Loop::run_once() {
    purge_cancelled_timers();

    if (ready_count_ == 0 && !stopping_) {
        if (timers_.empty()) return LoopStatus::kDeadlock;  // select(None) would block forever
        // The virtual select(timeout) returns at once, timeout later (SEMANTICS H4).
        const Nanos timeout = std::clamp<Nanos>(timers_.top().when - now_, 0, kMaxSelectTimeout);
        now_ += timeout;
        if (now_ > options_.max_vtime) return LoopStatus::kLivelock;
    }

    // clock_resolution is 1 ns: a timer is due when `when < now + 1`.
    while (!timers_.empty() && timers_.top().when <= now_) {
        const std::uint32_t slot = timers_.pop().slot;
        handles_[slot].scheduled = false;
        trace_.record(now_, 0, EventKind::kTimerFire, 0, static_cast<std::int64_t>(handles_[slot].seq));
        ready_push({&Loop::run_handle, this, reinterpret_cast<void*>(static_cast<std::uintptr_t>(slot))});
    }

    const std::size_t ntodo = ready_count_;
    for (std::size_t i = 0; i < ntodo; ++i) {
        std::size_t pick = 0;
        const std::size_t remaining = ntodo - i;
        if (options_.policy != nullptr && remaining > 1) {
            ChoicePoint point;
            point.kind = ChoiceKind::kRunnable;
            point.n = static_cast<std::uint32_t>(remaining);
            point.task_of = &Loop::ready_task_of;
            point.internal_key = &Loop::ready_internal;
            point.ctx = this;
            pick = ask(point);
        }
        const detail::Callback cb = pick == 0 ? ready_take(0) : ready_take(pick);
        ++steps_;
        if (debug_) {
            // _run_once's debug branch: time the handle on the (virtual) clock.
            const std::string what = describe(cb);
            const Nanos t0 = now_;
            cb.invoke();
            if (now_ - t0 >= slow_callback_duration_) {
                char secs[32];
                std::snprintf(secs, sizeof secs, "%.3f", static_cast<double>(now_ - t0) / 1e9);
                line_no_task("loop.slow message=Executing " + what + " took " + secs + " seconds");
            }
        } else {
            cb.invoke();
        }
        if (fatal_) return LoopStatus::kFatal;
    }
    if (steps_ > options_.max_steps) return LoopStatus::kLivelock;
    return LoopStatus::kStopped;
}

LoopStatus Loop::run_forever() {
    LoopStatus status;
    for (;;) {
        status = run_once();
        if (status != LoopStatus::kStopped) break;
        if (stopping_) break;
    }
    stopping_ = false;
    return status;
}

namespace {
// _run_until_complete_cb: retrieves the future's exception (fut.exception()) and stops the loop,
// except after KeyboardInterrupt or SystemExit (Issue #22429): the step that raised it already
// ended run_forever mid-iteration, leaving this callback queued, so it runs stale in the next
// run_until_complete (the shutdown's), where it must not stop that one. Retrieving is what
// keeps a main task that raised them from reporting "Task exception was never retrieved".
void stop_cb(void* loop, void* fut, bool run);
[[maybe_unused]] const bool stop_named = detail::name_callback(&stop_cb, "_run_until_complete_cb");

void stop_cb(void* loop, void* fut, bool run) {
    auto* f = static_cast<FutureBase*>(fut);
    if (run) {
        const bool fatal = f->done() && !f->cancelled() && is_loop_fatal(f->exception());
        if (!fatal) static_cast<Loop*>(loop)->stop();
    }
    f->release();
}
}  // namespace

LoopStatus Loop::run_until_complete(FutureBase& fut) {
    fut.add_ref();
    fut.add_callback({&stop_cb, this, &fut});
    const LoopStatus status = run_forever();
    if (status != LoopStatus::kStopped) fut.remove_callbacks_for(this);
    return status;
}

std::string Loop::describe(const detail::Callback& cb) const {
    if (cb.fn == &Loop::run_handle) {
        const auto slot = static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(cb.b));
        const HandleRec& rec = handles_[slot];
        return handle_repr(rec.timer, rec.when, rec.user != 0 ? user_handles_[rec.user - 1].name : std::string());
    }
    if (const TaskBase* t = TaskBase::stepped_by(cb)) return "<Task " + t->name() + ">";
    return "<Handle callback()>";
}

void Loop::set_debug(bool enabled) {
    debug_ = enabled;
    // BaseEventLoop.set_debug on a running loop queues _set_coroutine_origin_tracking.
    if (Loop::current() == this) call_soon([] {}, "_set_coroutine_origin_tracking()");
}

void Loop::advance(Nanos d) {
    if (d > 0) now_ += d;
}

void blocking(Duration d) { running_loop().advance(d); }

void Loop::default_exception_handler(const ExceptionContext& context) {
    std::string text = "loop.error message=" + context.message;
    // refloop's trace text: a str raw, an object by its repr (CPython's own handler logs reprs).
    for (const auto& [key, value] : context.keys) text += " " + key + "=" + value.text();
    if (context.exception) text += " exc=" + exception_repr(context.exception);
    line(text);
}

void Loop::call_exception_handler(const ExceptionContext& context) {
    if (!handler_) {
        default_exception_handler(context);
        return;
    }
    try {
        handler_(*this, context);
    } catch (const SystemExit&) {
        throw;  // BaseEventLoop.call_exception_handler re-raises these two
    } catch (const KeyboardInterrupt&) {
        throw;
    } catch (...) {
        // The context as Python's repr of the dict shows it (message first).
        std::string ctx = "{'message': " + py_str_repr(context.message);
        if (context.exception) ctx += ", 'exception': " + exception_repr(context.exception);
        for (const auto& [key, value] : context.keys) ctx += ", " + py_str_repr(key) + ": " + value.repr();
        ctx += "}";
        default_exception_handler({"Unhandled error in exception handler", std::current_exception(),
                                   {{"context", ContextValue::object(std::move(ctx))}}});
    }
}

// ---- trace and bookkeeping ----

void Loop::line(std::string_view text) {
    if (current_task_ == nullptr) return line_no_task(text);
    trace_.record_text(now_, current_task_->task_id(), EventKind::kLine, 0, 0, current_task_->name(), text);
}

void Loop::report_unraisable(std::string_view object, std::exception_ptr exc) {
    line("unraisable message=Exception ignored in: " + std::string(object) + " exc=" + exception_repr(exc));
}

void Loop::line_no_task(std::string_view text) { trace_.record_text(now_, 0, EventKind::kLine, 0, 0, "-", text); }

void Loop::add_violation(std::string message) { violations_.push_back(std::move(message)); }

void Loop::link_task(TaskBase* t) noexcept {
    t->prev_task = tasks_tail_;
    t->next_task = nullptr;
    if (tasks_tail_ != nullptr) {
        tasks_tail_->next_task = t;
    } else {
        tasks_head_ = t;
    }
    tasks_tail_ = t;
}

void Loop::unlink_task(TaskBase* t) noexcept {
    if (t->prev_task != nullptr) {
        t->prev_task->next_task = t->next_task;
    } else if (tasks_head_ == t) {
        tasks_head_ = t->next_task;
    }
    if (t->next_task != nullptr) {
        t->next_task->prev_task = t->prev_task;
    } else if (tasks_tail_ == t) {
        tasks_tail_ = t->prev_task;
    }
    t->prev_task = t->next_task = nullptr;
}

std::vector<TaskBase*> Loop::pending_tasks() const {
    std::vector<TaskBase*> out;
    for (TaskBase* t = tasks_head_; t != nullptr; t = t->next_task) out.push_back(t);
    return out;
}

void Loop::discard_all() {
    // Callbacks may release the last reference to a task whose frame holds more handles, so
    // drain until both queues stay empty.
    while (ready_count_ > 0 || !timers_.empty()) {
        while (ready_count_ > 0) ready_take(0).discard();
        while (!timers_.empty()) {
            const std::uint32_t slot = timers_.pop().slot;
            HandleRec& rec = handles_[slot];
            rec.scheduled = false;
            detail::Callback cb = std::exchange(rec.cb, {});
            free_handle(slot);
            if (cb.fn) cb.discard();
        }
    }
    timer_cancelled_count_ = 0;
}

}  // namespace corosim
