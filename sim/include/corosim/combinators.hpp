// combinators.hpp: the Python statements C++ coroutines cannot write directly (DESIGN 2): C++
// forbids co_await in a catch handler and destructors cannot suspend, so `try/finally` with an
// awaiting cleanup, `try/except` with an awaiting handler and `async with` are combinators.
// Each keeps its callable and arguments in its own frame (STYLE 5, 7) and chains an exception
// raised while another is in flight through `__context__`, as Python does (SEMANTICS C2, C4).
#pragma once

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "corosim/coro.hpp"
#include "corosim/exceptions.hpp"

namespace corosim {

namespace detail {
template <class C>
struct CoroResult;
template <class T>
struct CoroResult<Coro<T>> {
    using type = T;
};
// The combinators own copies of their arguments and pass them on once, as rvalues.
template <class F, class... Args>
using coro_result_t = typename CoroResult<std::invoke_result_t<F&, Args...>>::type;

/// Gives `raised` the `__context__` `handling` (the exception in flight), unless it has one or
/// is that same exception (Python's implicit chaining).
void chain_context(const std::exception_ptr& raised, const std::exception_ptr& handling);

/// While alive, marks `exc` as the exception the current task is handling (a `finally`,
/// `except` or `__aexit__` in progress), so that a cancellation delivered at an await in
/// there is chained to it as Python's throw() does. Lives in the combinator's frame.
class Handling {
public:
    explicit Handling(std::exception_ptr exc);
    ~Handling();
    Handling(const Handling&) = delete;
    Handling& operator=(const Handling&) = delete;

private:
    TaskBase* task_ = nullptr;
};
}  // namespace detail

/// `try: body finally: cleanup(args...)`: the cleanup runs (and may await) whatever the body
/// did; an exception from the cleanup replaces the body's, with the body's as its context.
template <class T, class F, class... Args>
Coro<T> try_finally(Coro<T> body, F cleanup, Args... args) {
    // The body's outcome is settled, not rethrown, and handed on with fail_with: a cancelled
    // body costs the one throw at its await, not one per combinator level (issue 4, W5).
    auto outcome = co_await std::move(body).settle();
    std::exception_ptr cleanup_failed;
    try {
        detail::Handling handling(outcome.error);
        Coro<void> c = cleanup(std::move(args)...);
        co_await std::move(c);
    } catch (...) {
        cleanup_failed = std::current_exception();
    }
    if (cleanup_failed) {
        detail::chain_context(cleanup_failed, outcome.error);
        std::rethrow_exception(cleanup_failed);
    }
    if (outcome.error) co_await detail::FailWith{&outcome.error, outcome.is_cancel, outcome.is_fatal};
    if constexpr (!std::is_void_v<T>) co_return std::move(*outcome.value);
}

/// `try: body except E as e: handler(e, args...)`: the handler may await; what it raises has
/// the caught exception as context. Other exceptions pass through untouched.
template <class E, class T, class F, class... Args>
Coro<T> try_except(Coro<T> body, F handler, Args... args) {
    std::exception_ptr caught;
    std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> value;
    try {
        if constexpr (std::is_void_v<T>) {
            co_await std::move(body);
        } else {
            value.emplace(co_await std::move(body));
        }
    } catch (const E&) {
        caught = std::current_exception();
    }
    if (caught) {
        try {
            detail::Handling handling(caught);
            Coro<T> h = handler(caught, std::move(args)...);
            if constexpr (std::is_void_v<T>) {
                co_await std::move(h);
            } else {
                value.emplace(co_await std::move(h));
            }
        } catch (...) {
            std::exception_ptr raised = std::current_exception();
            detail::chain_context(raised, caught);
            std::rethrow_exception(raised);
        }
    }
    if constexpr (!std::is_void_v<T>) co_return std::move(*value);
}

/// `async with manager as m: body(m, args...)`. The manager provides `Coro<...> aenter()` and
/// `Coro<bool> aexit(std::exception_ptr)`; a true aexit result suppresses the body's exception.
template <class M, class F, class... Args>
Coro<detail::coro_result_t<F, M&, Args...>> async_with(M manager, F body, Args... args) {
    using T = detail::coro_result_t<F, M&, Args...>;
    {
        auto enter = manager.aenter();
        co_await std::move(enter);
    }
    std::exception_ptr failed;
    std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> value;
    try {
        Coro<T> b = body(manager, std::move(args)...);
        if constexpr (std::is_void_v<T>) {
            co_await std::move(b);
        } else {
            value.emplace(co_await std::move(b));
        }
    } catch (...) {
        failed = std::current_exception();
    }
    bool suppress = false;
    try {
        detail::Handling handling(failed);
        Coro<bool> exit = manager.aexit(failed);
        suppress = co_await std::move(exit);
    } catch (...) {
        std::exception_ptr raised = std::current_exception();
        detail::chain_context(raised, failed);
        std::rethrow_exception(raised);
    }
    if (failed && !suppress) std::rethrow_exception(failed);
    if constexpr (!std::is_void_v<T>) {
        if (!value) value.emplace();  // suppressed: the statement produced nothing
        co_return std::move(*value);
    }
}

}  // namespace corosim
