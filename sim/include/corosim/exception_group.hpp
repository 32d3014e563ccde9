// exception_group.hpp: BaseExceptionGroup / ExceptionGroup and except* (SEMANTICS E1-E7;
// python/cpython Objects/exceptions.c BaseExceptionGroup_new, _split_recursive, _derive,
// _PyExc_PrepReraiseStar). Groups are held as std::exception_ptr like every other exception.
//
// C++ cannot give one class two copies of BaseException, so ExceptionGroup (an Exception) and
// BaseExceptionGroup (a BaseException) share the group part through ExceptionGroupBase:
// `catch (const ExceptionGroupBase&)` is Python's `except BaseExceptionGroup`.
#pragma once

#include <exception>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "corosim/exceptions.hpp"

namespace corosim {

/// The group part of both group classes: message and members.
class ExceptionGroupBase {
public:
    /// ValueError, as BaseExceptionGroup.__new__ raises it, for an empty list or a null member.
    ExceptionGroupBase(std::string message, std::vector<std::exception_ptr> exceptions);
    virtual ~ExceptionGroupBase() = default;
    /// The group's message (`eg.message`).
    const std::string& group_message() const noexcept { return message_; }
    /// The members (`eg.exceptions`), in order.
    const std::vector<std::exception_ptr>& exceptions() const noexcept { return exceptions_; }
    /// The group as a BaseException (for its chain links).
    virtual BaseException& as_exception() noexcept = 0;
    /// The group as a BaseException, read-only.
    virtual const BaseException& as_exception() const noexcept = 0;
    /// `ExceptionGroup('msg', [ValueError('a')])`.
    std::string group_repr(const char* type) const;
    /// Python's repr shows `args[1]` as given: except* wraps a naked exception in a tuple (E5).
    void set_members_are_tuple() noexcept { tuple_ = true; }

private:
    bool tuple_ = false;
    std::string message_;
    std::vector<std::exception_ptr> exceptions_;
};

/// A group that may hold BaseExceptions (CancelledError, KeyboardInterrupt, ...).
class BaseExceptionGroup : public BaseException, public ExceptionGroupBase {
public:
    /// `BaseExceptionGroup(message, exceptions)` as constructed, even when every member is an
    /// Exception (make_exception_group picks the class as Python's constructor does).
    BaseExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions);
    const char* type_name() const noexcept override { return "BaseExceptionGroup"; }
    std::string repr() const override { return group_repr(type_name()); }
    BaseException& as_exception() noexcept override { return *this; }
    /// This group, as its BaseException part.
    const BaseException& as_exception() const noexcept override { return *this; }
};

/// A group of Exceptions only; constructing one with a BaseException member raises TypeError.
class ExceptionGroup : public Exception, public ExceptionGroupBase {
public:
    /// `ExceptionGroup(message, exceptions)`; TypeError when a member is not an Exception.
    ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions);
    /// "ExceptionGroup".
    const char* type_name() const noexcept override { return "ExceptionGroup"; }
    /// `ExceptionGroup('msg', [ValueError('a')])`.
    std::string repr() const override { return group_repr(type_name()); }
    /// This group, as its BaseException part.
    BaseException& as_exception() noexcept override { return *this; }
    /// This group, as its BaseException part, read-only.
    const BaseException& as_exception() const noexcept override { return *this; }
};

/// `BaseExceptionGroup(msg, excs)`: an ExceptionGroup when every member is an Exception (E1).
/// Raises ValueError for an empty list or a null member.
std::exception_ptr make_exception_group(std::string message, std::vector<std::exception_ptr> exceptions);

/// True when `e` holds a group of either kind.
bool is_exception_group(const std::exception_ptr& e);
/// True when `e` holds an Exception (what `except Exception` catches).
bool is_exception(const std::exception_ptr& e);
/// The group in `e`, or null.
const ExceptionGroupBase* as_group(const std::exception_ptr& e);
/// The BaseException in `e`, or null for a foreign C++ exception.
BaseException* as_base(const std::exception_ptr& e);

/// A split condition: tested on every node, groups included (E2).
using ExceptionPredicate = std::function<bool(const std::exception_ptr&)>;

/// `eg.split(cond)` -> (match, rest), either may be null; structure and metadata kept (E2).
std::pair<std::exception_ptr, std::exception_ptr> split(const std::exception_ptr& eg, const ExceptionPredicate& cond);
/// `eg.subgroup(cond)` (E3).
std::exception_ptr subgroup(const std::exception_ptr& eg, const ExceptionPredicate& cond);
/// `eg.derive(excs)`: same message, new members, no metadata (E4).
std::exception_ptr derive(const std::exception_ptr& eg, std::vector<std::exception_ptr> exceptions);
/// The leaves of `e` (itself when it is not a group), depth first.
std::vector<std::exception_ptr> leaves(const std::exception_ptr& e);

namespace detail {
// `catch (const E&...)` is not valid C++; this expands one type at a time.
template <class E>
bool matches_one(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const E&) {
        return true;
    } catch (...) {
        return false;
    }
}
}  // namespace detail
/// A predicate matching instances of any of `Es` (Python's `split((E1, E2))`).
template <class... Es>
ExceptionPredicate instance_of() {
    return [](const std::exception_ptr& e) { return (detail::matches_one<Es>(e) || ...); };
}

/// An exception traced with its `__cause__`/`__context__` chain (tests/conformance/README.md,
/// "Exception chains"): `trace("k", {{"exc", chain(e)}})`.
struct Chain {
    std::exception_ptr exc;  ///< the exception whose chain is shown
};
/// Wraps `e` so that tracing it shows its chain.
inline Chain chain(std::exception_ptr e) { return Chain{std::move(e)}; }
/// `repr(e)`, then ` <-cause- X` / ` <-context- X` per link, then members' links for groups.
std::string chain_repr(const std::exception_ptr& e);
/// How a Chain shows in a trace line.
inline std::string py_repr(const Chain& c) { return chain_repr(c.exc); }

/// The bookkeeping of one `try ... except*` statement (E5-E7), driven clause by clause by
/// except_star (plain handlers) or except_star_async (coroutine handlers).
class StarMatcher {
public:
    /// `exc` is what the try body raised (may be null: nothing to match).
    explicit StarMatcher(std::exception_ptr exc);
    /// The part of what is still unmatched that `cond` matches (null: the clause does not run).
    std::exception_ptr take(const ExceptionPredicate& cond);
    /// A clause given `matched` ended by raising `raised` (null: it returned normally).
    void clause_ended(const std::exception_ptr& matched, const std::exception_ptr& raised);
    /// What propagates after the clauses: null when everything was handled.
    std::exception_ptr result() const;

private:
    std::exception_ptr original_;
    std::exception_ptr group_;       // the original, wrapped when naked
    std::exception_ptr unmatched_;
    bool naked_ = false;
    bool any_matched_ = false;
    std::vector<std::exception_ptr> raised_;
    std::vector<std::exception_ptr> reraised_leaves_;
};

/// One `except* E as g:` clause with a plain handler.
struct StarClause {
    ExceptionPredicate match;  ///< which leaves the clause takes (`instance_of<ValueError>()`)
    /// Runs with the matched part as a group (`g`); raising from it raises, rethrowing `g`
    /// re-raises.
    std::function<void(const std::exception_ptr&)> handler;
};

/// `except* Es as g: handler(g)`; the handler raises to raise, rethrows `g` to re-raise.
template <class... Es, class F>
StarClause on(F handler) {
    static_assert((!std::is_base_of_v<ExceptionGroupBase, Es> && ...),
                  "catching ExceptionGroup with except* is not allowed. Use except instead.");
    return {instance_of<Es...>(), std::function<void(const std::exception_ptr&)>(std::move(handler))};
}

/// Runs the clauses against `exc` as `try ... except*` does and rethrows what propagates (E7);
/// returns normally when everything was handled.
void except_star(const std::exception_ptr& exc, const std::vector<StarClause>& clauses);

}  // namespace corosim
