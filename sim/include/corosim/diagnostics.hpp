// diagnostics.hpp: the loop's exception handler (SEMANTICS G6, G9; python/cpython
// Lib/asyncio/base_events.py call_exception_handler, default_exception_handler). Reports such as
// "Task exception was never retrieved" go through it; the default handler writes a
// `loop.error message=... <other keys sorted> exc=...` trace line, a custom one sees the context.
#pragma once

#include <exception>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "corosim/exceptions.hpp"

namespace corosim {

class Loop;

/// A value in an ExceptionContext: a Python str, or another object, held as its repr (the
/// repr the reference loop shows). A std::string or a string literal converts implicitly and is
/// a str (`{{"detail", "x"}}` is Python's `{"detail": "x"}`); `ContextValue::object(repr)` is an
/// object, as the runtime's own `task`, `future`, `handle`, `asyncgen` values are.
class ContextValue {
public:
    /// A str (implicit, so `{{"detail", s}}` works).
    ContextValue(std::string str) : text_(std::move(str)) {}
    /// A str from a literal.
    ContextValue(const char* str) : text_(str) {}
    /// An object whose repr is `repr` (`<Task x>`, `<Handle bad(1)>`, ...).
    static ContextValue object(std::string repr) {
        ContextValue v(std::move(repr));
        v.is_str_ = false;
        return v;
    }
    /// True for a str, false for an object held as its repr.
    bool is_str() const noexcept { return is_str_; }
    /// The str itself, or the object's repr: what `trace(key=value)` and the default handler's
    /// `key=value` show (strings raw, objects by their repr).
    const std::string& text() const noexcept { return text_; }
    /// Python's repr: a str quoted, an object's repr as it is (the `context={...}` dict repr).
    std::string repr() const { return is_str_ ? py_str_repr(text_) : text_; }
    /// The text, so `Field("handle", value)` traces it as text() does.
    operator std::string_view() const noexcept { return text_; }
    /// Same text and same kind (str or object).
    friend bool operator==(const ContextValue&, const ContextValue&) = default;

private:
    std::string text_;
    bool is_str_ = true;
};

/// What call_exception_handler receives: `message`, the exception (if any) and the other keys
/// (`future`, `task`, `handle`, `asyncgen`, ...; objects as their repr, see ContextValue).
struct ExceptionContext {
    std::string message;                        ///< `context['message']`
    std::exception_ptr exception;               ///< `context['exception']`; null when absent
    std::map<std::string, ContextValue> keys;  ///< sorted, as the default handler prints them
};

/// A custom exception handler: `handler(loop, context)`.
using ExceptionHandler = std::function<void(Loop&, const ExceptionContext&)>;

}  // namespace corosim
