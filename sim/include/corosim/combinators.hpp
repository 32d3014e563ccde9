// combinators.hpp: the Python statements C++ coroutines cannot write directly (DESIGN 2): C++
// forbids co_await in a catch handler and destructors cannot suspend, so `try/finally` with an
// awaiting cleanup, `try/except` with an awaiting handler and `async with` are combinators.
// Each keeps its callable and arguments in its own frame (STYLE 5, 7) and chains an exception
// raised while another is in flight through `__context__`, as Python does (SEMANTICS C2, C4).
#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "corosim/coro.hpp"
#include "corosim/exception_group.hpp"
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
/// A callable that makes a coroutine when called with no arguments: a body given as a lambda.
template <class B>
concept CoroMaker = requires(B& b) { typename CoroResult<std::invoke_result_t<B&>>::type; };

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

/// `try: ... finally: ...` with the body as a callable, typically a lambda:
/// `co_await try_finally([&]() -> Coro<void> { ... }, [&]() -> Coro<void> { ... });`.
/// The combinator keeps its copies of both lambdas in its frame until they have finished, so
/// they may capture the awaiting coroutine's locals by reference (docs/python.md).
template <class B, class F, class... Args>
    requires detail::CoroMaker<B>
Coro<detail::coro_result_t<B>> try_finally(B body, F cleanup, Args... args) {
    if constexpr (std::is_void_v<detail::coro_result_t<B>>) {
        co_await try_finally(body(), std::move(cleanup), std::move(args)...);
    } else {
        co_return co_await try_finally(body(), std::move(cleanup), std::move(args)...);
    }
}

/// `try: ... except E as e: ...` with the body as a callable, typically a lambda (see the
/// callable try_finally): `co_await try_except<E>([&]() -> Coro<T> { ... },
/// [&](std::exception_ptr e) -> Coro<T> { ... })`.
template <class E, class B, class F, class... Args>
    requires detail::CoroMaker<B>
Coro<detail::coro_result_t<B>> try_except(B body, F handler, Args... args) {
    if constexpr (std::is_void_v<detail::coro_result_t<B>>) {
        co_await try_except<E>(body(), std::move(handler), std::move(args)...);
    } else {
        co_return co_await try_except<E>(body(), std::move(handler), std::move(args)...);
    }
}

/// One `except* Es as g:` clause whose handler may await (try_except_star).
struct AsyncStarClause {
    ExceptionPredicate match;  ///< which leaves the clause takes
    /// Runs with the matched part as a group (`g`); raising from it raises, rethrowing `g`
    /// re-raises. Kept alive by the combinator until its coroutine has finished.
    std::function<Coro<void>(std::exception_ptr)> handler;
};

/// `except* Es as g: await handler(g)`: a clause for try_except_star.
template <class... Es, class F>
AsyncStarClause on_async(F handler) {
    static_assert((!std::is_base_of_v<ExceptionGroupBase, Es> && ...),
                  "catching ExceptionGroup with except* is not allowed. Use except instead.");
    return {instance_of<Es...>(), std::function<Coro<void>(std::exception_ptr)>(std::move(handler))};
}

namespace detail {
/// Runs `body`, then the clauses of one `except*` statement against what it raised, each
/// awaited in turn (E5-E7); a clause's awaits are chained to its subgroup as Python's exc_info is.
Coro<void> try_except_star_impl(Coro<void> body, std::vector<AsyncStarClause> clauses);
}  // namespace detail

/// `try: body except* E1 as g: ... except* E2 as g: ...` with clauses that may await:
/// `co_await try_except_star([&]() -> Coro<void> { ... }, on_async<ValueError>(
/// [&](std::exception_ptr g) -> Coro<void> { ... }), ...)`. The body is a Coro<void> or a
/// callable making one (an except* clause cannot return a value in Python either).
template <class B, class... Cs>
    requires((std::is_same_v<Cs, AsyncStarClause> && ...) &&
             (std::is_same_v<B, Coro<void>> || std::is_same_v<detail::coro_result_t<B>, void>))
Coro<void> try_except_star(B body, Cs... clauses) {
    // Built apart: GCC 12 rejects a braced list inside a co_await expression.
    std::vector<AsyncStarClause> all;
    all.reserve(sizeof...(Cs));
    (all.push_back(std::move(clauses)), ...);
    if constexpr (std::is_same_v<B, Coro<void>>) {
        co_await detail::try_except_star_impl(std::move(body), std::move(all));
    } else {
        co_await detail::try_except_star_impl(body(), std::move(all));
    }
}

/// `async with manager as m: body(m, args...)`. The manager provides `Coro<...> aenter()` and
/// `Coro<bool> aexit(std::exception_ptr)`; a true aexit result suppresses the body's exception.
/// The body may be a lambda taking `M&`, capturing the awaiting coroutine's locals by reference.
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
