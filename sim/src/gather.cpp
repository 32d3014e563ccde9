#include "corosim/gather.hpp"

namespace corosim::detail {

void wait_on_completion(void* state_ptr, void* child_ptr, bool run);
[[maybe_unused]] const bool wait_named = detail::name_callback(&wait_on_completion, "_wait.<locals>._on_completion");

void wait_on_completion(void* state_ptr, void* child_ptr, bool run) {
    auto* state = static_cast<WaitState*>(state_ptr);
    auto* f = static_cast<TaskBase*>(child_ptr);
    if (run) {
        --state->counter;
        bool failed = false;
        if (state->when == ReturnWhen::kFirstException && !f->cancelled()) {
            bool c = false;
            failed = static_cast<bool>(f->wake_exception(c));
        }
        if (state->counter == 0 || state->when == ReturnWhen::kFirstCompleted || failed) {
            state->timeout.cancel();
            if (!state->waiter->done()) state->waiter->set_result();
        }
    }
    f->release();
}

void wait_setup(WaitState& state, const std::vector<TaskBase*>& children, std::optional<Nanos> timeout) {
    Loop& loop = running_loop();
    state.waiter = new FutureState<void>(loop);
    state.counter = children.size();
    if (timeout) {
        // _release_waiter; the callback's reference goes when it runs or is cancelled.
        Ref<FutureState<void>> waiter(state.waiter);
        state.timeout = loop.call_later(*timeout, [waiter] {
            if (!waiter->done()) waiter->set_result();
        });
    }
    for (TaskBase* f : children) {
        f->add_ref();
        f->add_callback({&wait_on_completion, &state, f});
    }
}

void wait_teardown(WaitState& state, const std::vector<TaskBase*>& children) {
    state.timeout.cancel();
    for (TaskBase* f : children) f->remove_callbacks_for(&state);
}

}  // namespace corosim::detail
