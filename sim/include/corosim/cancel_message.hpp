// cancel_message.hpp: the `msg` of `task.cancel(msg)` / `fut.cancel(msg)`. Python takes any
// object and the CancelledError carries it as its one argument (`CancelledError(42)`); corosim
// keeps a string as a string and any other value as its repr (SEMANTICS B6, B10).
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "corosim/exceptions.hpp"
#include "corosim/repr.hpp"

namespace corosim {

/// A cancel message: None (no message), a string, or any value py_repr can show (an int, a
/// float, a list as a std::vector, a tuple as a std::tuple or std::pair, ...). Converts
/// implicitly, so `t.cancel(42)`, `t.cancel("why")` and `t.cancel()` all read as in Python.
class CancelMessage {
public:
    /// None: `cancel()`, which raises a bare `CancelledError()`.
    CancelMessage() = default;
    /// None.
    CancelMessage(std::nullopt_t) noexcept {}
    /// None: `cancel(None)` is `cancel()`.
    CancelMessage(NoneType) noexcept {}
    /// A string message: `CancelledError('why')`.
    CancelMessage(const char* text) : value_(text), kind_(Kind::kText) {}
    /// A string message.
    CancelMessage(std::string text) : value_(std::move(text)), kind_(Kind::kText) {}
    /// A string message, or None when empty.
    CancelMessage(std::optional<std::string> text) {
        if (text) {
            value_ = std::move(*text);
            kind_ = Kind::kText;
        }
    }
    /// Any other value, carried as its Python repr: `cancel(42)` raises `CancelledError(42)`.
    template <class V>
        requires(!std::is_convertible_v<const V&, std::string_view> && !std::is_same_v<V, NoneType> &&
                 !std::is_same_v<V, std::nullopt_t> && !detail::IsOptional<V>::value && detail::has_py_repr<V>())
    CancelMessage(const V& value) : value_(py_repr(value)), kind_(Kind::kRepr) {}

    /// True for None (no message).
    bool is_none() const noexcept { return kind_ == Kind::kNone; }
    /// The message when it is a string, else null (None or another value).
    const std::string* text() const noexcept { return kind_ == Kind::kText ? &value_ : nullptr; }
    /// Python's repr of the message: `'why'`, `42`, `None`.
    std::string repr() const {
        switch (kind_) {
            case Kind::kText: return py_str_repr(value_);
            case Kind::kRepr: return value_;
            case Kind::kNone: break;
        }
        return "None";
    }
    /// `CancelledError(msg)`, or `CancelledError()` for None (Future._make_cancelled_error).
    CancelledError error() const {
        if (kind_ == Kind::kNone) return CancelledError();
        if (kind_ == Kind::kText) return CancelledError(value_);
        CancelledError e;
        e.set_arg_repr(value_);
        return e;
    }
    /// `CancelledError('' if msg is None else msg)`, as gather(return_exceptions=True) builds it.
    CancelledError error_or_empty() const { return is_none() ? CancelledError(std::string()) : error(); }

private:
    // One string, not two optionals: every future carries a CancelMessage.
    enum class Kind : unsigned char { kNone, kText, kRepr };
    std::string value_;  // the text, or the repr of another value
    Kind kind_ = Kind::kNone;
};

}  // namespace corosim
