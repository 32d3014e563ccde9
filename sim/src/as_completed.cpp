#include "corosim/as_completed.hpp"

#include <algorithm>

namespace corosim::detail {

namespace {

// _on_completion (3.13: _handle_completion): queues the finished task unless the timeout came
// first. Holds a reference to the state until it runs or is removed.
void on_completion(AsCompletedState& s, TaskBase* f) {
    if (s.todo.empty()) return;  // _on_timeout() was here first
    s.todo.erase(std::find(s.todo.begin(), s.todo.end(), f));
    s.done.put_nowait({f});
    if (s.todo.empty()) s.timeout_handle.cancel();  // a Handle() when there is no timeout: a no-op
}

void on_completion_cb(void* state, void* task, bool run) {
    auto* s = static_cast<AsCompletedState*>(state);
    if (run) on_completion(*s, static_cast<TaskBase*>(task));
    s->release();
}

// The same callback under 3.13's name, so a task's repr names it as that version does.
void handle_completion_cb(void* state, void* task, bool run) { on_completion_cb(state, task, run); }

[[maybe_unused]] const bool names = name_callback(&on_completion_cb, "as_completed.<locals>._on_completion") &&
                                    name_callback(&handle_completion_cb, "_AsCompletedIterator._handle_completion");

// _on_timeout: every result not in yet becomes a TimeoutError.
void on_timeout(AsCompletedState& s) {
    for (TaskBase* f : s.todo) {
        f->remove_callbacks_for(&s);
        s.done.put_nowait({});
    }
    s.todo.clear();
}

}  // namespace

void as_completed_start(AsCompletedState& s) {
    s.started = true;
    Loop& loop = running_loop();
    const bool v313 = loop.compat().as_completed_eager;
    s.todo = s.tasks;
    for (TaskBase* f : s.todo) {
        s.add_ref();
        f->add_callback({v313 ? &handle_completion_cb : &on_completion_cb, &s, f});
    }
    if (!s.todo.empty() && s.timeout) {
        Ref<AsCompletedState> keep(&s);
        s.timeout_handle = loop.call_later(
            *s.timeout, [keep] { on_timeout(*keep); },
            v313 ? "_AsCompletedIterator._handle_timeout()" : "as_completed.<locals>._on_timeout()");
    }
}

const char* as_completed_wait_name() {
    return running_loop().compat().as_completed_eager ? "_AsCompletedIterator._wait_for_one"
                                                      : "as_completed.<locals>._wait_for_one";
}

}  // namespace corosim::detail
