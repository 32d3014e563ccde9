// errors.hpp: the exceptions a simulated network and asyncio streams raise, with CPython's class
// names, hierarchy and reprs: OSError and its connection errors (errno first, as
// `ConnectionResetError(104, 'Connection reset by peer')`), socket.gaierror, and streams.py's
// IncompleteReadError and LimitOverrunError.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "corosim/exceptions.hpp"

namespace corosim::net {

/// OSError: the base of every socket error; `errnum` is Python's `errno` attribute (0: none).
class OSError : public Exception {
public:
    using Exception::Exception;
    /// "OSError".
    const char* type_name() const noexcept override { return "OSError"; }
    /// `e.errno` (0: none; os_error() sets it).
    int errnum = 0;
};
/// ConnectionError: the base of the connection errors below.
COROSIM_DEFINE_EXCEPTION(ConnectionError, OSError);
/// ECONNREFUSED: nobody listens on the port.
COROSIM_DEFINE_EXCEPTION(ConnectionRefusedError, ConnectionError);
/// ECONNRESET: the peer reset the connection (or `Connection lost` from drain()).
COROSIM_DEFINE_EXCEPTION(ConnectionResetError, ConnectionError);
/// EPIPE: a write after the peer reset the connection.
COROSIM_DEFINE_EXCEPTION(BrokenPipeError, ConnectionError);
/// EOFError: the base of IncompleteReadError.
COROSIM_DEFINE_EXCEPTION(EOFError, Exception);

/// socket.gaierror: a host name that does not resolve.
class GaiError : public OSError {
public:
    using OSError::OSError;
    /// "gaierror", as Python names socket.gaierror.
    const char* type_name() const noexcept override { return "gaierror"; }
};

/// An OSError subclass with Python's two arguments: `E(errno, 'strerror')`.
template <class E>
E os_error(int errnum, std::string_view strerror) {
    E e{std::string(strerror)};
    e.set_arg_repr(std::to_string(errnum) + ", " + py_str_repr(strerror));
    e.errnum = errnum;
    return e;
}

/// asyncio.IncompleteReadError: EOF before `expected` bytes (None: before the separator).
class IncompleteReadError : public EOFError {
public:
    /// With CPython's message, `3 bytes read on a total of 5 expected bytes` (`undefined`
    /// when none is expected).
    IncompleteReadError(std::string partial_bytes, std::optional<std::size_t> expected_bytes);
    /// "IncompleteReadError".
    const char* type_name() const noexcept override { return "IncompleteReadError"; }
    /// The bytes read before EOF.
    std::string partial;
    /// How many bytes were wanted, or none (readuntil).
    std::optional<std::size_t> expected;
};

/// asyncio.LimitOverrunError: the buffer limit was reached while looking for a separator.
class LimitOverrunError : public Exception {
public:
    /// `LimitOverrunError(message, consumed)`.
    LimitOverrunError(std::string message, std::size_t consumed_bytes)
        : Exception(std::move(message)), consumed(consumed_bytes) {}
    /// "LimitOverrunError".
    const char* type_name() const noexcept override { return "LimitOverrunError"; }
    /// How many bytes the caller may consume before the separator (or the limit).
    std::size_t consumed;
};

/// Python's repr of a bytes object: `b'ab\n'`, `b"it's"`, `b'\x00'`.
std::string py_bytes_repr(std::string_view data);

}  // namespace corosim::net
