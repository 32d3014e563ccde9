// repro.hpp: the command lines that reproduce a run (issue 12). A repro line needs no store:
// `my_sim run conn_pool --seed 7 --policy random --param clients=2`, or with `--choices` for a
// run that replays forced choices (a shrunk run); it names the binary the user invoked, so a
// user's own executable prints its own name. Every word is shell-quoted, so a pasted line
// survives paths with spaces or quotes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "corosim/checker/runner.hpp"

namespace corosim::checker {

/// The program name repro lines start with: argv[0] as invoked once the CLI has set it, else
/// the placeholder kUnknownProgram. A repro line printed outside a scenario CLI (check_schedules
/// in a user's GoogleTest binary) cannot know which executable registers the scenario.
const std::string& program_name();
/// Sets program_name(): the CLI calls it with argv[0]; a user's test binary may call it with the
/// path of the executable that links corosim::main and registers its scenarios.
void set_program_name(std::string name);
/// Whether set_program_name has named the program.
bool program_name_known();
/// What a repro line starts with while no program is named.
inline constexpr const char* kUnknownProgram = "YOUR_SIM";

/// `spec` as the C++ expression that builds it, for run_spec(scenario, ...) in-process:
/// `corosim::checker::RunSpec{.scenario = "s", .params = {{"k", 2}}, .policy = "random", .seed = 7}`
/// (fields at their defaults left out, and the trace level, which changes no outcome).
std::string run_spec_code(const RunSpec& spec);

/// `word` quoted for a POSIX shell: unchanged when it has only safe characters, else in single
/// quotes with each `'` written as `'\''`.
std::string shell_quote(std::string_view word);

/// The `run` command line that reproduces `spec` without a store: scenario, seed, policy, the
/// Python version (unless 3.12, the default), every parameter and, for the replay policy, the
/// forced choices (trailing FIFO zeros dropped).
std::string repro_command(const RunSpec& spec, std::string_view program = program_name());

/// The shorter `replay --db PATH --run ID` form, for when the store is at hand.
std::string replay_command(std::string_view db_path, std::int64_t run_id, std::string_view program = program_name());

/// `outcome: message` for one line (a crash's backtrace left out), without repeating an outcome
/// the message already starts with (`deadlock: deadlock: ...`).
std::string failure_headline(std::string_view outcome, std::string_view message);

/// The choices as `run --choices` takes them: comma-separated, trailing zeros dropped (the
/// replay policy answers 0 past the end), at least one value.
std::string choices_arg(const std::vector<std::uint32_t>& choices);

}  // namespace corosim::checker
