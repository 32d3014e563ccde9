#include "corosim/run.hpp"
#include "corosim/run_value.hpp"

#include "corosim/observe.hpp"
#include "corosim/repr.hpp"
#include "corosim/async_gen.hpp"
#include "corosim/exception_group.hpp"
#include "corosim/gather.hpp"
#include "corosim/task.hpp"

namespace corosim {

const char* outcome_name(Outcome o) noexcept {
    switch (o) {
        case Outcome::kPass: return "pass";
        case Outcome::kFail: return "fail";
        case Outcome::kError: return "error";
        case Outcome::kDeadlock: return "deadlock";
        case Outcome::kLivelock: return "livelock";
        case Outcome::kCrash: return "crash";
    }
    return "error";
}

namespace {

// gather(*tasks, return_exceptions=True) as _cancel_all_tasks uses it: each child's done
// callback retrieves its outcome; the last one completes the outer future.
struct GatherAll {
    FutureState<void>* outer;
    std::size_t remaining;
};

void gather_child_done(void* g, void* child, bool run);
[[maybe_unused]] const bool gather_named = detail::name_callback(&gather_child_done, "gather.<locals>._done_callback");

void gather_child_done(void* g, void* child, bool run) {
    auto* gather = static_cast<GatherAll*>(g);
    auto* fut = static_cast<FutureBase*>(child);
    if (run) {
        bool is_cancel = false;
        (void)fut->wake_exception(is_cancel);  // retrieves it, as return_exceptions does
        if (--gather->remaining == 0 && !gather->outer->done()) gather->outer->set_result();
    }
    fut->release();
}

// BaseEventLoop.shutdown_asyncgens / shutdown_default_executor with nothing to shut down: each
// is still a task of its own, numbered, run by its own run_until_complete (Runner.close).
Coro<void> shutdown_step() { co_return; }

LoopStatus run_task_to_completion(Loop& loop, Coro<void> coro) {
    Task<void> t = create_task(std::move(coro));
    return loop.run_until_complete(*t.state());
}

// Runner.close steps 1-3; returns the status that ended them (kFatal: an exception escaped,
// the rest is skipped).
LoopStatus shutdown(Loop& loop) {
    std::vector<TaskBase*> to_cancel = loop.pending_tasks();
    if (!to_cancel.empty()) {
        std::vector<std::string> names;
        for (TaskBase* t : to_cancel) names.push_back(t->name());
        loop.line_no_task("run.cancel_all tasks=" + py_repr(names));
        for (TaskBase* t : to_cancel) t->add_ref();
        for (TaskBase* t : to_cancel) t->cancel();
        auto* outer = new FutureState<void>(loop);
        outer->add_ref();
        GatherAll gather{outer, to_cancel.size()};
        for (TaskBase* t : to_cancel) {
            t->add_ref();
            t->add_callback({&gather_child_done, &gather, t});
        }
        const LoopStatus status = loop.run_until_complete(*outer);
        if (status != LoopStatus::kStopped) {
            // Children still pending keep callbacks that point at `gather`; drop them first.
            for (TaskBase* t : to_cancel) t->remove_callbacks_for(&gather);
        }
        outer->release();
        if (status == LoopStatus::kStopped) {
            for (TaskBase* t : to_cancel) {
                if (t->cancelled()) continue;
                bool is_cancel = false;
                if (auto exc = t->wake_exception(is_cancel)) {
                    loop.call_exception_handler({"unhandled exception during asyncio.run() shutdown", exc,
                                                 {{"task", ContextValue::object("<Task " + t->name() + ">")}}});
                }
            }
        }
        for (TaskBase* t : to_cancel) t->release();
        if (status != LoopStatus::kStopped) return status;
    }
    if (!loop.asyncgens().empty()) loop.line_no_task("run.shutdown_asyncgens");
    const LoopStatus asyncgens = run_task_to_completion(loop, shutdown_asyncgens());
    if (asyncgens != LoopStatus::kStopped) return asyncgens;
    return run_task_to_completion(loop, shutdown_step());
}

// Ends what could not finish: frames destroyed without running, queued callbacks dropped.
void teardown(Loop& loop) {
    for (std::vector<TaskBase*> left = loop.pending_tasks(); !left.empty(); left = loop.pending_tasks()) {
        for (TaskBase* t : left) t->add_ref();
        for (TaskBase* t : left) t->abandon();
        for (TaskBase* t : left) t->release();
    }
    loop.discard_all();
}

void dump_waiting(Loop& loop) {
    for (TaskBase* t : loop.pending_tasks()) {
        FutureBase* on = t->fut_waiter();
        loop.trace().record(loop.time(), 0, EventKind::kWaiting, t->task_id(),
                            on ? static_cast<std::int64_t>(on->id()) : 0);
    }
}

// A frame's function name without template arguments (GCC names `get<long int>`, Clang `get`),
// so messages are the same whichever compiler built the scenario.
std::string_view frame_name(const detail::PromiseBase* p) {
    const std::string_view name = p != nullptr ? p->name() : "";
    return name.substr(0, name.find('<'));
}

// `pool.cpp:42`: the file's directories are left out, as they differ between checkouts and
// build directories, and the messages are part of a failure's signature.
std::string source_place(std::string_view file, std::uint32_t line) {
    return std::string(file.substr(file.find_last_of('/') + 1)) + ":" + std::to_string(line);
}

// What a task is blocked in, in the user's terms: the awaitable the innermost frame belongs to.
// The sync primitives and queues are coroutines named after their method (__builtin_FUNCTION),
// so the innermost frame's name says which kind of object holds the future.
std::string waited_object(const TaskBase& t) {
    FutureBase* on = t.fut_waiter();
    if (on == nullptr) return "nothing (runnable)";
    if (const auto* task = dynamic_cast<const TaskBase*>(on)) return "task " + task->name();
    const std::string_view fn = frame_name(t.suspended_leaf());
    if (fn == "acquire") return "a lock (Lock/Semaphore/Condition acquire)";
    if (fn == "wait") return "an Event/Condition wait";
    if (fn == "get") return "a Queue getter";
    if (fn == "put") return "a Queue putter";
    if (fn == "join") return "a Queue join";
    if (on->created_file() != nullptr) return "a future created at " + source_place(on->created_file(), on->created_line());
    return "a future";
}

// A frame as messages show it: its function and the `co_await` it is suspended at, `worker
// (pool.cpp:42)`.
std::string frame_text(const detail::PromiseBase* p) {
    std::string out(frame_name(p));
    if (p->await_file() != nullptr) out += " (" + source_place(p->await_file(), p->await_line()) + ")";
    return out;
}

// The coroutine chain of a suspended task, outermost first: `main (a.cpp:9) > worker (a.cpp:4)`.
std::string coroutine_chain(const TaskBase& t) {
    std::vector<std::string> frames;
    for (const detail::PromiseBase* p = t.suspended_leaf(); p != nullptr; p = p->parent()) frames.push_back(frame_text(p));
    std::string out;
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
        if (!out.empty()) out += " > ";
        out += *it;
    }
    return out;
}

// One clause per pending task, in creation order (deterministic): its name, where it is
// suspended and on what; never a future id, which differs between runs of the same bug.
std::string waiting_summary(Loop& loop) {
    std::string out;
    for (TaskBase* t : loop.pending_tasks()) {
        if (!out.empty()) out += "; ";
        out += t->name();
        const std::string chain = coroutine_chain(*t);
        if (!chain.empty()) out += " in " + chain;
        out += t->fut_waiter() != nullptr ? " waits on " + waited_object(*t) : " is runnable";
    }
    return out;
}

}  // namespace

RunResult run(const std::function<Coro<void>()>& make_main, LoopOptions options) {
    return detail::run_main(
        [&make_main](Loop& loop) -> TaskBase* {
            return new TaskState<void>(loop, make_main().release(), "main", TaskBase::Kind::kMain);
        },
        [](TaskBase&) { return std::string("None"); }, std::move(options));
}

RunResult detail::run_main(const std::function<TaskBase*(Loop&)>& start,
                           const std::function<std::string(TaskBase&)>& returned, LoopOptions options) {
    const detail::FrameStats before = detail::frame_stats();
    RunResult result;
    {
        Loop loop(options);
        // Restores the thread's running loop however this block is left.
        struct CurrentLoop {
            Loop* previous;
            explicit CurrentLoop(Loop* l) : previous(Loop::set_current(l)) {}
            ~CurrentLoop() { Loop::set_current(previous); }
            CurrentLoop(const CurrentLoop&) = delete;
            CurrentLoop& operator=(const CurrentLoop&) = delete;
        } current(&loop);
        loop.line_no_task("run.start");
        LoopStatus status;
        // asyncio.run keeps the main task (and its outcome) until it returns; it is freed by the
        // final collection, after `gc label=end`.
        detail::Ref<TaskBase> main(start(loop));
        status = loop.run_until_complete(*main);
        if (status == LoopStatus::kDeadlock) {
            result.outcome = Outcome::kDeadlock;
            result.message = "deadlock: " + waiting_summary(loop);
            dump_waiting(loop);
            loop.line_no_task("deadlock");
        } else if (status == LoopStatus::kLivelock) {
            result.outcome = Outcome::kLivelock;
            // What each task was doing when the budget ran out: the spinning one is runnable.
            result.message = "livelock: budget exhausted after " + std::to_string(loop.steps()) + " steps; " +
                             waiting_summary(loop);
            loop.line_no_task("livelock");
        } else if (status == LoopStatus::kFatal) {
            // KeyboardInterrupt/SystemExit left run_until_complete mid-iteration (G7).
            const std::exception_ptr exc = loop.take_fatal();
            result.outcome = Outcome::kError;
            result.message = "exception escaped the loop: " + exception_repr(exc);
            loop.line_no_task("run.exception exc=" + exception_repr(exc));
        } else if (main->cancelled()) {
            result.outcome = Outcome::kError;
            result.message = "main was cancelled";
            loop.line_no_task("run.cancelled");
        } else if (bool is_cancel = false; auto exc = main->wake_exception(is_cancel)) {
            result.outcome = Outcome::kError;
            result.message = "exception escaped main: " + exception_repr(exc);
            loop.line_no_task("run.exception exc=" + exception_repr(exc));
        } else {
            loop.line_no_task("run.result value=" + returned(*main));
        }
        if (status != LoopStatus::kLivelock) {
            const LoopStatus end = shutdown(loop);
            if (end == LoopStatus::kDeadlock) {
                dump_waiting(loop);
                loop.line_no_task("deadlock");
                if (result.outcome == Outcome::kPass) {
                    result.outcome = Outcome::kDeadlock;
                    result.message = "deadlock during shutdown: " + waiting_summary(loop);
                }
            } else if (end == LoopStatus::kFatal) {
                const std::exception_ptr exc = loop.take_fatal();
                loop.line_no_task("run.shutdown_exception exc=" + exception_repr(exc));
                if (result.outcome == Outcome::kPass) {
                    result.outcome = Outcome::kError;
                    result.message = "exception escaped the shutdown: " + exception_repr(exc);
                }
            } else if (end == LoopStatus::kLivelock && result.outcome == Outcome::kPass) {
                result.outcome = Outcome::kLivelock;
                result.message = "livelock during shutdown";
            }
        }
        loop.line_no_task("gc label=end");
        main = detail::Ref<TaskBase>();
        loop.release_kept();
        teardown(loop);
        loop.line_no_task("run.closed");

        if (!loop.violations().empty() && result.outcome != Outcome::kFail) {
            // The first violated invariant is the headline: a deadlock or exception that follows
            // it is usually its consequence. The later outcome stays visible in the tail.
            std::string later = result.outcome == Outcome::kPass ? "" : "; later: " + result.message;
            result.outcome = Outcome::kFail;
            result.message = "check failed: " + loop.violations().front() + later;
        }
        result.steps = loop.steps();
        result.vtime = loop.time();
        result.choices = loop.choices();
        result.trace_hash = loop.trace().hash();
        result.trace = std::move(loop.trace());
    }
    const detail::FrameStats& after = detail::frame_stats();
    result.frames_created = after.created - before.created;
    result.frames_destroyed = after.destroyed - before.destroyed;
    if (result.frames_created != result.frames_destroyed && result.outcome == Outcome::kPass) {
        result.outcome = Outcome::kFail;
        result.message = "frames leaked: " + std::to_string(result.frames_created - result.frames_destroyed);
    }
    return result;
}

}  // namespace corosim
