#include "corosim/async_gen.hpp"

#include <algorithm>

namespace corosim::detail {

AsyncGenStateBase::~AsyncGenStateBase() {
    if (loop != nullptr) loop->unregister_asyncgen(this);
    if (frame_) std::exchange(frame_, {}).destroy();
}

void AsyncGenStateBase::call_first_iteration_hook() {
    hooks_called_ = true;
    Loop* l = Loop::current();
    if (l == nullptr) return;
    // BaseEventLoop._asyncgen_firstiter_hook: remember it for shutdown_asyncgens.
    l->line(std::string("asyncgen.firstiter name=") + qualname());
    loop = l;
    l->register_asyncgen(this);
}

namespace {
// The untyped equivalent of `await agen.aclose()` (the typed AgenAwaiter needs T; closing only
// needs the frame and its flags).
struct Close {
    AsyncGenStateBase* s;
    bool ready = false;
    bool await_ready() {
        if (s->running) throw RuntimeError("aclose(): asynchronous generator is already running");
        if (!s->started() || s->finished() || s->closed) {
            s->closed = true;
            ready = true;
            return true;
        }
        s->throw_in = std::make_exception_ptr(GeneratorExit());
        return false;
    }
    template <class P>
    void await_suspend(std::coroutine_handle<P> caller) noexcept {
        s->resume_from(caller, caller.promise().task());
    }
    void await_resume() {
        s->running = false;
        if (ready) return;
        s->closed = true;
        if (s->yielded_) {
            s->yielded_ = false;
            throw RuntimeError("async generator ignored GeneratorExit");
        }
        if (auto e = s->promise()->error()) {
            try {
                std::rethrow_exception(e);
            } catch (const GeneratorExit&) {
            } catch (const StopAsyncIteration&) {
            }
        }
    }
};
}  // namespace

Coro<void> aclose_generator(Ref<AsyncGenStateBase> gen) { co_await Close{gen.get()}; }

void AsyncGenStateBase::drop_handle() noexcept {
    if (--handles_ != 0) return;
    Loop* l = Loop::current();
    // _asyncgen_finalizer_hook: an un-exhausted generator that was iterated is closed by a task.
    if (!hooks_called_ || finished() || closed || running || l == nullptr || l != loop) return;
    try {
        l->line(std::string("asyncgen.finalizer name=") + qualname());
        l->unregister_asyncgen(this);
        loop = nullptr;
        Ref<AsyncGenStateBase> keep(this);
        l->call_soon([keep] { (void)create_task(aclose_generator(keep)); }, "create_task()");
    } catch (...) {
    }
}

}  // namespace corosim::detail
