// signature.hpp: what makes two failures the same bug (issue 12). A failure's signature is its
// outcome and its headline message with run-specific ids removed, so that `Task-3 waits on
// task Task-7` and `Task-12 waits on task Task-15` group together, and the consequence that
// followed a violated check (`; later: ...`, sim/src/run.cpp) does not split one invariant
// into several. Campaigns shrink once per (scenario, signature); reports list one entry each.
#pragma once

#include <string>
#include <string_view>

namespace corosim::checker {

/// What separates a crashed run's one-line reason from its backtrace (one frame per line,
/// `  #0 name (file:line)`, a repeated frame as `  #0-#9 name`), which the message carries below
/// it (checker/src/crash_trace.hpp).
inline constexpr std::string_view kBacktraceMark = "\n  #0";

/// The message without a crash's backtrace: what is grouped, compared and shown on one line.
inline std::string_view message_headline(std::string_view message) {
    return message.substr(0, message.find(kBacktraceMark));
}

/// A crash's backtrace, one frame per line (each `  #N ...`), or empty.
inline std::string_view message_backtrace(std::string_view message) {
    const std::size_t at = message.find(kBacktraceMark);
    return at == std::string_view::npos ? std::string_view() : message.substr(at + 1);
}

/// `message` with every run of decimal digits replaced by `N` and every hex literal (`0x...`)
/// by `0xN`: task and future numbers, counters, addresses.
inline std::string normalize_message(std::string_view message) {
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    const auto hex = [&](char c) { return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
    std::string out;
    std::size_t i = 0;
    while (i < message.size()) {
        if (message[i] == '0' && i + 2 < message.size() && (message[i + 1] == 'x' || message[i + 1] == 'X') &&
            hex(message[i + 2])) {
            i += 2;
            while (i < message.size() && hex(message[i])) ++i;
            out += "0xN";
        } else if (digit(message[i])) {
            while (i < message.size() && digit(message[i])) ++i;
            out += 'N';
        } else {
            out += message[i++];
        }
    }
    return out;
}

/// How a run that broke a check() states it: `check failed: <the check's message>`.
inline constexpr std::string_view kCheckFailed = "check failed: ";

/// The signature of a failure: `outcome: ` and the normalized message headline up to its
/// `; later: ` tail (what happened after the first violated check); of a violated check, only
/// its message up to its first `: ` (the invariant's name, not how this run broke it).
inline std::string failure_signature(std::string_view outcome, std::string_view message) {
    message = message_headline(message);
    if (const auto later = message.find("; later: "); later != std::string_view::npos) message = message.substr(0, later);
    // A check names its invariant and may say after a ': ' how this run broke it (the operations
    // of a history, the values it saw); two runs breaking one invariant are one bug however their
    // details differ, so the details are not part of the signature.
    if (message.starts_with(kCheckFailed)) {
        if (const auto detail = message.find(": ", kCheckFailed.size()); detail != std::string_view::npos) {
            message = message.substr(0, detail);
        }
    }
    return std::string(outcome) + ": " + normalize_message(message);
}

}  // namespace corosim::checker
