// commands.hpp: the CLI's subcommands (one file each), its exit codes and its error type.
// Exit codes (DESIGN 6): 0 all passed, 1 failures found, 2 usage or input error, 3 internal.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "corosim/scenarios/registry.hpp"

namespace corosim::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailures = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInternal = 3;

/// A bad argument or input file: one line on stderr, exit 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A parsed subcommand and what runs it.
struct Command {
    CLI::App* app;
    std::function<int()> run;
};

Command add_list(CLI::App& app);
Command add_run(CLI::App& app);
Command add_replay(CLI::App& app);
Command add_fuzz(CLI::App& app);
Command add_report(CLI::App& app);
Command add_merge(CLI::App& app);
Command add_export(CLI::App& app);
Command add_explore(CLI::App& app);

/// The built-in scenario called `name`; UsageError naming the known ones otherwise.
const scenarios::Scenario& find_scenario(std::string_view name);

/// Whether output to `fd` gets ANSI colour: a terminal, and NO_COLOR unset or empty
/// (https://no-color.org).
bool colour_on(int fd);

/// `text` in the SGR colour `code` ("31" red, "32" green, "2" dim) when `on`, else as it is.
std::string paint(std::string_view text, const char* code, bool on);

/// A non-negative decimal integer given to `flag`; UsageError naming both otherwise.
std::uint64_t parse_u64(std::string_view flag, const std::string& text, std::uint64_t min = 0);
/// A `--shard I/N` spec: {I, N} with 0 <= I < N; UsageError otherwise.
std::pair<std::uint32_t, std::uint32_t> parse_shard(const std::string& text);
/// A positive duration like 60s, 5m, 500ms, 1h (bare digits: seconds), at most a year.
std::chrono::milliseconds parse_duration(std::string_view flag, const std::string& text);
/// A `--python` value: 3.11, 3.12 or 3.13; UsageError otherwise.
PythonVersion parse_python(const std::string& text);
/// A positive size in MiB like 512M, 2G (bare digits: MiB).
std::uint64_t parse_megabytes(std::string_view flag, const std::string& text);

/// `s` safe for a terminal: control characters (escape sequences, carriage returns, newlines)
/// shown as \n, \t or \xNN, so a stored message cannot rewrite the screen or fake a line.
std::string terminal_text(std::string_view s);
/// A run's message for the terminal: its headline as terminal_text, then a crash's backtrace
/// one frame per line, each line prefixed with `indent`.
std::string terminal_message(std::string_view message, std::string_view indent);
/// Only the backtrace part of terminal_message: empty, or a `\n`, `indent` and a frame per frame.
std::string terminal_backtrace(std::string_view message, std::string_view indent);

}  // namespace corosim::cli
