// hint.hpp: one line of advice shown under a failure that looks like a coroutine reading freed
// memory (issue 14): a segfault on every run is most often a capturing coroutine lambda called
// on a temporary, and a std::bad_alloc or std::length_error with no memory pressure a
// `const std::string&` coroutine parameter bound to a temporary. Derived from the outcome and
// message when shown, never stored: signatures, trace hashes and stored runs do not change.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "corosim/checker/signature.hpp"

namespace corosim::checker {

/// The hint line for a failure (`hint: ...`, no newline), or empty when none applies.
inline std::string failure_hint(std::string_view outcome, std::string_view message) {
    const std::string_view head = message_headline(message);
    const auto has = [&](std::string_view s) { return head.find(s) != std::string_view::npos; };
    if (outcome == "crash" && (has("signal 11 ") || has("signal 7 "))) {
        return "hint: a crash on every run is often a coroutine reading freed memory, e.g. a capturing "
               "coroutine lambda called on a temporary (docs/troubleshooting.md#a-capturing-coroutine-lambda-"
               "segfault-on-every-run)";
    }
    // A foreign exception shows as CppException(what()): libstdc++'s what() texts for a
    // failed allocation and for an impossible string or vector length.
    constexpr std::array<std::string_view, 5> kBadSize{"CppException('std::bad_alloc')",
                                                      "CppException('std::bad_array_new_length')",
                                                      "CppException('basic_string::", "CppException('vector::",
                                                      "larger than max_size()"};
    if (outcome == "error") {
        for (const std::string_view s : kBadSize) {
            if (has(s)) {
                return "hint: std::bad_alloc or std::length_error without memory pressure is often a string read "
                       "through a dangling reference, e.g. a const std::string& coroutine parameter bound to a "
                       "temporary (docs/troubleshooting.md#a-const-stdstring-parameter-bound-to-a-temporary-"
                       "stdbad_alloc)";
            }
        }
    }
    return {};
}

}  // namespace corosim::checker
