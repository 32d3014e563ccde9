// diagnostics.hpp: the loop's exception handler (SEMANTICS G6, G9; python/cpython
// Lib/asyncio/base_events.py call_exception_handler, default_exception_handler). Reports such as
// "Task exception was never retrieved" go through it; the default handler writes a
// `loop.error message=... <other keys sorted> exc=...` trace line, a custom one sees the context.
#pragma once

#include <exception>
#include <functional>
#include <map>
#include <string>

namespace corosim {

class Loop;

/// What call_exception_handler receives: `message`, the exception (if any) and the other keys
/// (`future`, `task`, `handle`, `asyncgen`, ...) already rendered as the reference loop shows them.
struct ExceptionContext {
    std::string message;
    std::exception_ptr exception;
    std::map<std::string, std::string> keys;  ///< sorted, as the default handler prints them
};

/// A custom exception handler: `handler(loop, context)`.
using ExceptionHandler = std::function<void(Loop&, const ExceptionContext&)>;

}  // namespace corosim
