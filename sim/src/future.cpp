#include "corosim/future.hpp"

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace corosim {

FutureBase::~FutureBase() {
    if (log_traceback_ && exc_) report_unretrieved("Future", "<Future finished exception=" + exception_repr(exc_) + ">");
    if (first_cb_.fn) first_cb_.discard();
    for (const auto& cb : more_cbs_) cb.discard();
}

void FutureBase::report_unretrieved(const char* kind, const std::string& self) noexcept {
    // Reported when the object is freed, as long as its loop is still running: a future that
    // outlives its run has no one left to tell.
    if (!log_traceback_ || !exc_ || loop_ == nullptr || Loop::current() != loop_) return;
    log_traceback_ = false;
    loop_->count_unretrieved();
    try {
        loop_->call_exception_handler({std::string(kind) + " exception was never retrieved", exc_, {{"future", ContextValue::object(self)}}});
    } catch (...) {
    }
}

namespace {
// One add_done_callback registration while it waits in a future's callback list. Its Callback
// is {&user_callback_marker, this, future}: never invoked, since schedule_callback turns it
// into a loop handle; discarded (deleted) when removed or when the future dies pending.
struct UserCallback {
    std::function<void(FutureBase&)> fn;
    std::string (*repr)(FutureBase&);
    std::string name;
    std::shared_ptr<detail::ContextData> context;
    DoneCallbackId id;
};

void user_callback_marker(void* a, void*, bool) { delete static_cast<UserCallback*>(a); }
}  // namespace

namespace {
struct CallbackNames {
    std::mutex mutex;
    std::vector<std::pair<void (*)(void*, void*, bool), const char*>> names;
};
CallbackNames& callback_names() {
    static CallbackNames names;
    return names;
}

// format_helpers._format_callback_source without the location: `name()`.
std::string callback_repr(const detail::Callback& cb) {
    if (cb.fn == &user_callback_marker) return static_cast<const UserCallback*>(cb.a)->name + "()";
    CallbackNames& reg = callback_names();
    const std::lock_guard<std::mutex> lock(reg.mutex);
    for (const auto& [fn, name] : reg.names) {
        if (fn == cb.fn) return std::string(name) + "()";
    }
    return "<callback>()";
}
}  // namespace

bool detail::name_callback(void (*fn)(void*, void*, bool), const char* python_name) {
    CallbackNames& reg = callback_names();
    const std::lock_guard<std::mutex> lock(reg.mutex);
    reg.names.emplace_back(fn, python_name);
    return true;
}

std::vector<std::string> FutureBase::repr_info() const {
    std::vector<std::string> info;
    switch (state_) {
        case State::kPending: info.emplace_back("pending"); break;
        case State::kCancelled: info.emplace_back("cancelled"); break;
        case State::kFinished:
            info.emplace_back("finished");
            info.push_back(exc_ ? "exception=" + exception_repr(exc_) : "result=" + result_repr());
            break;
    }
    std::vector<std::string> cbs;
    for_each_callback([&cbs](const detail::Callback& cb) { cbs.push_back(callback_repr(cb)); });
    if (cbs.size() == 1) {
        info.push_back("cb=[" + cbs[0] + "]");
    } else if (cbs.size() == 2) {
        info.push_back("cb=[" + cbs[0] + ", " + cbs[1] + "]");
    } else if (cbs.size() > 2) {
        info.push_back("cb=[" + cbs.front() + ", <" + std::to_string(cbs.size() - 2) + " more>, " + cbs.back() + "]");
    }
    return info;
}

std::string FutureBase::full_repr() const {
    std::string out = std::string("<") + py_type_name();
    for (const auto& part : repr_info()) out += " " + part;
    return out + ">";
}

DoneCallbackId FutureBase::add_user_callback(std::function<void(FutureBase&)> fn, std::string (*repr)(FutureBase&),
                                             std::string name) {
    const DoneCallbackId id = loop_->next_done_callback_id();
    // Future.add_done_callback: `context = contextvars.copy_context()` now, not when it runs.
    auto* cb = new UserCallback{std::move(fn), repr, std::move(name), loop_->copy_current_context(), id};
    add_callback({&user_callback_marker, cb, this});
    return id;
}

std::size_t FutureBase::remove_user_callback(DoneCallbackId id) noexcept {
    const auto matches = [id](const detail::Callback& cb) {
        return cb.fn == &user_callback_marker && static_cast<const UserCallback*>(cb.a)->id == id;
    };
    std::size_t removed = 0;
    if (first_cb_.fn && matches(first_cb_)) {
        std::exchange(first_cb_, {}).discard();
        ++removed;
    }
    removed += std::erase_if(more_cbs_, [&](const detail::Callback& cb) {
        if (!matches(cb)) return false;
        cb.discard();
        return true;
    });
    return removed;
}

void FutureBase::schedule_callback(const detail::Callback& cb) {
    if (cb.fn != &user_callback_marker) {
        loop_->schedule(cb);
        return;
    }
    // `self._loop.call_soon(callback, self, context=ctx)`: a handle that holds the future.
    const std::unique_ptr<UserCallback> user(static_cast<UserCallback*>(cb.a));
    std::string text = user->name + "(" + user->repr(*this) + ")";
    loop_->call_soon_in_context(
        std::move(user->context), [fn = std::move(user->fn), self = detail::Ref<FutureBase>(this)] { fn(*self); },
        std::move(text));
}

void FutureBase::add_callback(detail::Callback cb) {
    if (done()) {
        schedule_callback(cb);
    } else if (first_cb_.fn == nullptr && more_cbs_.empty()) {
        first_cb_ = cb;
    } else {
        more_cbs_.push_back(cb);
    }
}

void FutureBase::remove_callbacks_for(void* a) noexcept {
    if (first_cb_.fn && first_cb_.a == a) std::exchange(first_cb_, {}).discard();
    std::erase_if(more_cbs_, [a](const detail::Callback& cb) {
        if (cb.a != a) return false;
        cb.discard();
        return true;
    });
}

void FutureBase::discard_callbacks() noexcept {
    // Callbacks may hold references to this future (a task's own done callback, say), so
    // move them out before releasing anything.
    detail::Callback first = std::exchange(first_cb_, {});
    std::vector<detail::Callback> more = std::move(more_cbs_);
    more_cbs_.clear();
    if (first.fn) first.discard();
    for (const auto& cb : more) cb.discard();
}

void FutureBase::schedule_callbacks() {
    if (first_cb_.fn) schedule_callback(std::exchange(first_cb_, {}));
    for (const auto& cb : more_cbs_) schedule_callback(cb);
    more_cbs_.clear();
}

bool FutureBase::future_cancel(CancelMessage msg) {
    log_traceback_ = false;
    if (state_ != State::kPending) return false;
    state_ = State::kCancelled;
    cancel_message_ = std::move(msg);
    schedule_callbacks();
    return true;
}

void FutureBase::finish_with_result() {
    state_ = State::kFinished;
    schedule_callbacks();
}

void FutureBase::set_exception(std::exception_ptr e) {
    if (done()) throw InvalidStateError("invalid state");
    exc_ = std::move(e);
    exc_is_cancel_ = is_cancelled_error(exc_);
    state_ = State::kFinished;
    log_traceback_ = true;
    schedule_callbacks();
}

std::exception_ptr FutureBase::make_cancelled_error() {
    if (cancelled_exc_) return std::exchange(cancelled_exc_, nullptr);
    return std::make_exception_ptr(cancel_message_.error());
}

void FutureBase::check_result() {
    if (state_ == State::kCancelled) std::rethrow_exception(make_cancelled_error());
    if (state_ == State::kPending) throw InvalidStateError("Result is not ready.");
    log_traceback_ = false;
    if (exc_) std::rethrow_exception(exc_);
}

std::exception_ptr FutureBase::exception() {
    if (state_ == State::kCancelled) std::rethrow_exception(make_cancelled_error());
    if (state_ == State::kPending) throw InvalidStateError("Exception is not set.");
    log_traceback_ = false;
    return exc_;
}

std::exception_ptr FutureBase::wake_exception(bool& is_cancel) {
    if (state_ == State::kCancelled) {
        is_cancel = true;
        return make_cancelled_error();
    }
    log_traceback_ = false;
    is_cancel = exc_is_cancel_;
    return exc_;
}

}  // namespace corosim
