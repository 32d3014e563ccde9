#include "corosim/checker/repro.hpp"
#include "corosim/checker/signature.hpp"

#include <utility>

namespace corosim::checker {

namespace {
std::string& program_slot() {
    static std::string name = kUnknownProgram;
    return name;
}

bool& program_known_slot() {
    static bool known = false;
    return known;
}

// A C++ string literal for `text`: quotes, backslashes and control characters escaped.
std::string cpp_literal(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            // Octal, not \x: a hex escape would swallow a following hex digit.
            out += '\\';
            out += static_cast<char>('0' + ((u >> 6) & 7));
            out += static_cast<char>('0' + ((u >> 3) & 7));
            out += static_cast<char>('0' + (u & 7));
        } else {
            out += c;
        }
    }
    return out + "\"";
}

bool safe_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.' || c == '/' || c == ',' || c == ':' || c == '=' || c == '+' || c == '@' || c == '%';
}
}  // namespace

const std::string& program_name() { return program_slot(); }

void set_program_name(std::string name) {
    if (name.empty()) return;
    program_slot() = std::move(name);
    program_known_slot() = true;
}

bool program_name_known() { return program_known_slot(); }

std::string run_spec_code(const RunSpec& spec) {
    std::string out = "corosim::checker::RunSpec{.scenario = " + cpp_literal(spec.scenario);
    // Designated initializers in declaration order, or the expression does not compile.
    if (!spec.params.empty()) {
        out += ", .params = {";
        bool first = true;
        for (const auto& [name, value] : spec.params) {
            out += std::string(first ? "" : ", ") + "{" + cpp_literal(name) + ", " + std::to_string(value) + "}";
            first = false;
        }
        out += "}";
    }
    const RunSpec defaults;
    if (spec.policy != defaults.policy) out += ", .policy = " + cpp_literal(spec.policy);
    if (spec.seed != defaults.seed) out += ", .seed = " + std::to_string(spec.seed);
    if (!spec.choices.empty()) {
        out += ", .choices = {";
        for (std::size_t i = 0; i < spec.choices.size(); ++i) out += (i == 0 ? "" : ", ") + std::to_string(spec.choices[i]);
        out += "}";
    }
    if (spec.max_steps != defaults.max_steps) out += ", .max_steps = " + std::to_string(spec.max_steps);
    if (spec.python != defaults.python) {
        out += std::string(", .python = corosim::PythonVersion::k3_") + (python_version_name(spec.python) + 2);
    }
    return out + "}";
}

std::string shell_quote(std::string_view word) {
    bool safe = !word.empty();
    for (const char c : word) safe = safe && safe_char(c);
    if (safe) return std::string(word);
    std::string out = "'";
    for (const char c : word) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

std::string choices_arg(const std::vector<std::uint32_t>& choices) {
    std::size_t n = choices.size();
    while (n > 0 && choices[n - 1] == 0) --n;
    if (n == 0) return "0";
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        if (i != 0) out += ',';
        out += std::to_string(choices[i]);
    }
    return out;
}

std::string failure_headline(std::string_view outcome, std::string_view message) {
    message = message_headline(message);
    std::string head(outcome);
    head += ':';
    if (message.starts_with(head)) return std::string(message);
    return head + ' ' + std::string(message);
}

std::string repro_command(const RunSpec& spec, std::string_view program) {
    // `run --choices` implies the replay policy, so a plain replayed run names no policy; one with
    // jitter or fault points (replay+jitter+buggify) keeps them, so the replay asks the same
    // questions.
    const bool replayed = spec.policy == "replay" || spec.policy.starts_with("replay+");
    std::string out = shell_quote(program) + " run " + shell_quote(spec.scenario) + " --seed " + std::to_string(spec.seed);
    if (spec.policy != "replay") out += " --policy " + shell_quote(spec.policy);
    // 3.12 is the default, so a 3.12 run's line is the same as before --python existed.
    if (spec.python != PythonVersion::k3_12) out += std::string(" --python ") + python_version_name(spec.python);
    for (const auto& [name, value] : spec.params) out += " --param " + shell_quote(name + "=" + std::to_string(value));
    if (replayed) out += " --choices " + choices_arg(spec.choices);
    return out;
}

std::string replay_command(std::string_view db_path, std::int64_t run_id, std::string_view program) {
    return shell_quote(program) + " replay --db " + shell_quote(db_path) + " --run " + std::to_string(run_id);
}

}  // namespace corosim::checker
