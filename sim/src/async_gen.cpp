#include "corosim/async_gen.hpp"

#include <algorithm>

#include "corosim/exception_group.hpp"
#include "corosim/gather.hpp"

namespace corosim::detail {

AsyncGenStateBase::~AsyncGenStateBase() {
    if (Loop* l = loop.get()) l->unregister_asyncgen(this);
    if (frame_) destroy_frame(std::exchange(frame_, {}));
}

void convert_stop_async_iteration(PromiseBase& p) noexcept {
    if (!holds<StopAsyncIteration>(p.error())) return;
    try {
        RuntimeError converted("async generator raised StopAsyncIteration");
        converted.cause = p.error();
        converted.context = p.error();
        converted.suppress_context = true;
        p.replace_error(std::make_exception_ptr(std::move(converted)));
    } catch (...) {
    }
}

void AsyncGenStateBase::finish_close() {
    closed = true;
    if (yielded_) {
        yielded_ = false;
        throw RuntimeError("async generator ignored GeneratorExit");
    }
    // The frame ended. When that happened in a later step than the one that began the aclose(),
    // and that step threw into the task, CPython's task threw into the aclose() awaitable
    // (async_gen_athrow_throw), which on 3.11/3.12 returns without clearing ag_running_async;
    // the send path (async_gen_athrow_send) clears it (F6).
    if (Loop* l = Loop::current(); l != nullptr && l->compat().aclose_throw_keeps_running && l->steps() != close_step_) {
        if (TaskBase* t = l->current_task(); t != nullptr && t->step_throws()) stuck_running_ = true;
    }
    // A StopAsyncIteration never gets here: the frame turned it into a RuntimeError (PEP 479).
    if (const auto& e = promise_->error(); e && !holds<GeneratorExit>(e)) std::rethrow_exception(e);
}

void AsyncGenStateBase::begin_close() noexcept {
    if (Loop* l = Loop::current()) close_step_ = l->steps();
}

void AsyncGenStateBase::call_first_iteration_hook() {
    hooks_called_ = true;
    Loop* l = Loop::current();
    if (l == nullptr) return;
    // BaseEventLoop._asyncgen_firstiter_hook: remember it for shutdown_asyncgens.
    l->line(std::string("asyncgen.firstiter name=") + qualname());
    if (l->asyncgens_shutdown_called()) {
        l->line("warning category=ResourceWarning message=asynchronous generator " + repr() +
                " was scheduled after loop.shutdown_asyncgens() call");
    }
    loop = l->ref();
    l->register_asyncgen(this);
}

namespace {
// The untyped equivalent of `await agen.aclose()` (the typed AgenAwaiter needs T; closing only
// needs the frame and its flags).
// The aclose() task's coroutine starts with Coro::defer_start_exception: a task cancelled
// before its first step throws its CancelledError into the aclose() awaitable, which passes it
// to the generator at its yield instead of GeneratorExit (Objects/genobject.c
// async_gen_athrow_throw), so the generator's cleanup still runs.
// Trivially destructible (the frame can be destroyed while suspended here): what the first
// step threw in lives in the coroutine's frame.
struct Close {
    AsyncGenStateBase* s;
    std::exception_ptr* thrown;  // null when not a task's first await
    bool ready = false;
    bool await_ready() {
        if (TaskBase* t = running_loop().current_task(); t != nullptr && thrown != nullptr) *thrown = t->take_pending();
        if (s->running) throw RuntimeError("aclose(): asynchronous generator is already running");
        if (!s->started() || s->finished() || s->closed) {
            s->closed = true;
            ready = true;
            return true;
        }
        s->begin_close();
        if (thrown != nullptr && *thrown) {
            s->throw_at_yield(*thrown);
            running_loop().current_task()->set_plain_resume_throw(std::make_exception_ptr(GeneratorExit()));
        } else {
            s->throw_at_yield(std::make_exception_ptr(GeneratorExit()));
        }
        return false;
    }
    template <class P>
    void await_suspend(std::coroutine_handle<P> caller) noexcept {
        s->resume_from(caller, caller.promise().task());
    }
    void await_resume() {
        s->stop_running();
        if (thrown != nullptr && *thrown) running_loop().current_task()->set_plain_resume_throw(nullptr);
        if (ready) {
            if (thrown != nullptr && *thrown) std::rethrow_exception(*thrown);  // gen_throw on a generator that cannot run
            return;
        }
        s->finish_close();
    }
};
}  // namespace

namespace {
Coro<void> close_body(Ref<AsyncGenStateBase> gen) {
    std::exception_ptr thrown;
    co_await Close{gen.get(), &thrown};
}
}  // namespace

Coro<void> aclose_generator(Ref<AsyncGenStateBase> gen) {
    return close_body(std::move(gen)).qualname("aclose_generator").defer_start_exception();
}

void AsyncGenStateBase::drop_handle() noexcept {
    if (--handles_ != 0) return;
    Loop* l = Loop::current();
    // _asyncgen_finalizer_hook: an un-exhausted generator that was iterated is closed by a task.
    if (!hooks_called_ || finished() || closed || running || l == nullptr || l != loop.get()) return;
    try {
        l->line(std::string("asyncgen.finalizer name=") + qualname());
        l->unregister_asyncgen(this);
        loop.reset();
        Ref<AsyncGenStateBase> keep(this);
        l->call_soon([keep] { (void)create_task(aclose_generator(keep)); }, "create_task()");
    } catch (...) {
    }
}

}  // namespace corosim::detail

namespace corosim {

// BaseEventLoop.shutdown_asyncgens: aclose() every generator the firstiter hook registered,
// each in a task, gathered with return_exceptions; errors go to the exception handler. The
// generators are forgotten first, so one whose aclose() fails (already running in another
// task) is not closed again by a later call.
Coro<void> shutdown_asyncgens() {
    Loop& loop = running_loop();
    loop.set_asyncgens_shutdown_called();
    if (loop.asyncgens().empty()) co_return;
    std::vector<detail::Ref<detail::AsyncGenStateBase>> closing;
    for (detail::AsyncGenStateBase* g : loop.asyncgens()) closing.emplace_back(g);
    for (auto& g : closing) {
        loop.unregister_asyncgen(g.get());
        g->loop.reset();
    }
    std::vector<Task<void>> tasks;
    for (auto& g : closing) tasks.push_back(create_task(detail::aclose_generator(g)));
    Future<std::vector<Settled<void>>> all = gather_settled(tasks);
    const std::vector<Settled<void>> results = co_await all;
    for (std::size_t i = 0; i < results.size(); ++i) {
        if (results[i].error && is_exception(results[i].error)) {
            const std::string agen = closing[i]->repr();
            loop.call_exception_handler({"an error occurred during closing of asynchronous generator " + agen,
                                         results[i].error, {{"asyncgen", ContextValue::object(agen)}}});
        }
    }
}

}  // namespace corosim
