#include "corosim/sleep.hpp"

namespace corosim {

namespace {
// futures._set_result_unless_cancelled
void sleep_fire(void* fut, void*, bool run) {
    auto* f = static_cast<FutureState<void>*>(fut);
    if (run && !f->done()) f->set_result();
    f->release();
}
}  // namespace

void SleepAwaiter::suspend(std::coroutine_handle<> caller, detail::PromiseBase* promise) {
    if (delay_ <= 0) {
        task_->yield_now(caller, promise);
        return;
    }
    Loop& loop = task_->loop();
    fut_ = new FutureState<void>(loop);
    fut_->add_ref();  // ours
    fut_->add_ref();  // the timer's
    timer_ = loop.add_timer(loop.time() + delay_, {&sleep_fire, fut_, nullptr});
    task_->suspend_on(fut_, caller, promise);
}

}  // namespace corosim
