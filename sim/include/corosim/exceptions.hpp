// exceptions.hpp: the Python-like exception hierarchy scenarios raise and catch, with Python's
// repr (`ValueError('bad')`). Mirroring the hierarchy makes the natural C++ catch right:
// `catch (const Exception&)` lets CancelledError (a BaseException) pass, as in Python.
// Rules: SEMANTICS B10, C2 (context chains), T (rendering).
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corosim {

/// Root of the hierarchy; carries the message and the `__context__`/`__cause__` links.
class BaseException : public std::exception {
public:
    BaseException() = default;
    /// An exception whose single argument is `msg`.
    explicit BaseException(std::string msg) : msg_(std::move(msg)) {}

    /// The Python class name, e.g. "ValueError".
    virtual const char* type_name() const noexcept { return "BaseException"; }
    /// The first argument, if the exception has one.
    const std::optional<std::string>& message() const noexcept { return msg_; }
    /// Python's repr: `ValueError('bad')`, or `CancelledError()` without arguments.
    virtual std::string repr() const;
    /// The message, or the class name when there is none (what a C++ catch site prints).
    const char* what() const noexcept override { return msg_ ? msg_->c_str() : type_name(); }

    /// The exception being handled when this one was raised (`__context__`).
    std::exception_ptr context;
    /// The explicit `raise ... from` cause (`__cause__`).
    std::exception_ptr cause;
    /// `__suppress_context__`, set by `raise ... from`.
    bool suppress_context = false;
    /// Shows the argument as this text instead of a quoted string, for arguments that are not
    /// strings in Python (`LookupError(<ContextVar name='x'>)`, `ValueError(2)`).
    void set_arg_repr(std::string text) { arg_repr_ = std::move(text); }

    /// `add_note(note)` (PEP 678): appends to `__notes__`, creating it on the first note.
    void add_note(std::string note) {
        if (!notes_) notes_.emplace();
        notes_->push_back(std::move(note));
    }
    /// `__notes__`: none until a note is added (Python: no attribute).
    const std::optional<std::vector<std::string>>& notes() const noexcept { return notes_; }
    /// Replaces `__notes__` (split gives each part a copy of the original's, E2).
    void set_notes(std::optional<std::vector<std::string>> notes) { notes_ = std::move(notes); }

    /// What the exception keeps alive, as a Python traceback keeps frames and their locals alive
    /// (a coroutine refused by TaskGroup.create_task warns only when this exception is freed, A5).
    std::shared_ptr<void> keepalive;

private:
    std::optional<std::string> msg_;
    std::optional<std::string> arg_repr_;
    std::optional<std::vector<std::string>> notes_;
};

#define COROSIM_DEFINE_EXCEPTION(Name, Base)                                   \
    class Name : public Base {                                                 \
    public:                                                                    \
        using Base::Base;                                                      \
        const char* type_name() const noexcept override { return #Name; }      \
    }

/// Ordinary errors; what `except Exception` catches.
COROSIM_DEFINE_EXCEPTION(Exception, BaseException);
/// asyncio.CancelledError: a BaseException since 3.8, so `except Exception` does not swallow it.
COROSIM_DEFINE_EXCEPTION(CancelledError, BaseException);
COROSIM_DEFINE_EXCEPTION(KeyboardInterrupt, BaseException);
COROSIM_DEFINE_EXCEPTION(SystemExit, BaseException);
COROSIM_DEFINE_EXCEPTION(GeneratorExit, BaseException);
COROSIM_DEFINE_EXCEPTION(RuntimeError, Exception);
COROSIM_DEFINE_EXCEPTION(ValueError, Exception);
COROSIM_DEFINE_EXCEPTION(TypeError, Exception);
/// LookupError: the base of KeyError (and what ContextVar.get raises).
COROSIM_DEFINE_EXCEPTION(LookupError, Exception);
COROSIM_DEFINE_EXCEPTION(KeyError, LookupError);
COROSIM_DEFINE_EXCEPTION(TimeoutError, Exception);
COROSIM_DEFINE_EXCEPTION(StopAsyncIteration, Exception);
/// asyncio.InvalidStateError, e.g. set_result on a finished future.
COROSIM_DEFINE_EXCEPTION(InvalidStateError, Exception);

/// `E(v)` with an int argument, as Python writes `ValueError(2)` (not `ValueError('2')`).
template <class E>
E with_int_arg(long v) {
    E e(std::to_string(v));
    e.set_arg_repr(std::to_string(v));
    return e;
}

/// Python's repr of a str: single quotes unless the text holds ' and no ".
std::string py_str_repr(std::string_view s);

/// Python's repr of a float: the shortest text that reads back as `v`, `1.0` for whole values,
/// exponent form below 1e-4 and from 1e16 (`1e-05`, `1e+16`), `inf`, `nan`.
std::string py_float_repr(double v);

/// The repr of whatever `e` holds; a non-corosim C++ exception shows as `CppException('what')`.
std::string exception_repr(const std::exception_ptr& e);

namespace detail {
// Inside a handler: whether the exception being handled is one of E, Rest...
template <class E, class... Rest>
bool handling_one_of() {
    try {
        throw;
    } catch (const E&) {
        return true;
    } catch (...) {
        if constexpr (sizeof...(Rest) > 0) {
            return handling_one_of<Rest...>();
        } else {
            return false;
        }
    }
}
}  // namespace detail

/// True when `e` holds an exception of one of the types E... (subclasses included). Rethrows to
/// look, so keep it off hot paths.
template <class... E>
bool holds(const std::exception_ptr& e) {
    if (!e) return false;
    try {
        std::rethrow_exception(e);
    } catch (...) {
        return detail::handling_one_of<E...>();
    }
}

/// True when `e` holds a CancelledError. Rethrows to look, so keep it off hot paths.
bool is_cancelled_error(const std::exception_ptr& e);

/// True when `e` holds a CancelledError itself, not a subclass (`exc_type is CancelledError`).
bool is_exact_cancelled_error(const std::exception_ptr& e);

/// True when `e` holds KeyboardInterrupt or SystemExit, which escape the loop (SEMANTICS G7).
bool is_loop_fatal(const std::exception_ptr& e);

}  // namespace corosim
