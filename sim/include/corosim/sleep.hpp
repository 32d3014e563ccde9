// sleep.hpp: asyncio.sleep (python/cpython Lib/asyncio/tasks.py sleep, __sleep0). A positive
// delay is a future completed by a call_later timer, whose handle is cancelled when the await
// ends (the `finally: h.cancel()`); a delay <= 0 is a bare yield, one loop iteration (B3, B4).
#pragma once

#include <coroutine>
#include <type_traits>

#include "corosim/future.hpp"
#include "corosim/task.hpp"
#include "corosim/time.hpp"

namespace corosim {

/// What `co_await sleep(d)` suspends on.
class [[nodiscard]] SleepAwaiter {
public:
    /// Sleeps `delay` of virtual time (sleep() builds it).
    explicit SleepAwaiter(Nanos delay) noexcept : delay_(delay) {}
    SleepAwaiter(const SleepAwaiter&) = delete;
    SleepAwaiter& operator=(const SleepAwaiter&) = delete;
    ~SleepAwaiter() {
        if (fut_) fut_->release();
    }
    /// @cond internal
    bool await_ready() const noexcept { return false; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> caller) {
        task_ = caller.promise().task();
        suspend(caller, &caller.promise());
    }
    void await_resume() {
        timer_.cancel();
        task_->rethrow_pending();
    }
    /// @endcond

private:
    void suspend(std::coroutine_handle<> caller, detail::PromiseBase* promise);
    Nanos delay_;
    TaskBase* task_ = nullptr;
    FutureState<void>* fut_ = nullptr;
    Handle timer_;
};

/// asyncio.sleep(delay): any Duration (`sleep(20ms)`, `sleep(millis(20))`); sleep(0) yields once.
/// A template so that under `using namespace corosim` a call like `sleep(0)` is an exact match
/// and wins over POSIX `::sleep(unsigned)`, which needs a conversion.
template <class D>
    requires std::is_constructible_v<Duration, const D&>
SleepAwaiter sleep(const D& delay) noexcept {
    return SleepAwaiter(Duration(delay));
}

}  // namespace corosim
