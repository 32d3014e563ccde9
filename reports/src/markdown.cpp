#include "corosim/reports/markdown.hpp"

#include <algorithm>

#include "corosim/checker/repro.hpp"
#include "corosim/checker/shrink.hpp"
#include "corosim/checker/signature.hpp"
#include "corosim/reports/failures.hpp"
#include "corosim/reports/text.hpp"

namespace corosim::reports {

namespace {
// Markdown code spans cannot escape a backtick; a message keeps its text with ' instead.
std::string code(std::string_view text) {
    std::string out = clean_text(text, 1000);
    for (char& c : out) {
        if (c == '`') c = '\'';
        if (c == '\n') c = ' ';
    }
    return "`" + out + "`";
}

// A crash's frames as an indented code block under the list item (a fence cannot be escaped
// either, so backticks become ' here too).
std::string backtrace_block(std::string_view message) {
    const std::string_view frames = checker::message_backtrace(message);
    if (frames.empty()) return "";
    std::string text = clean_text(frames, 4000);
    for (char& c : text) {
        if (c == '`') c = '\'';
    }
    std::string out = "\n  ```text\n";
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        out += "  " + text.substr(start, end - start) + "\n";
        start = end + 1;
    }
    return out + "  ```";
}
}  // namespace

std::string markdown_summary(checker::Store& store, const std::string& db_path, std::int64_t campaign) {
    std::string out = "# corosim report\n\n";
    out += "| scenario | runs | failures | distinct traces | policies |\n";
    out += "|---|---:|---:|---:|---|\n";
    std::int64_t runs = 0;
    std::int64_t failures = 0;
    for (const auto& s : store.summary(campaign)) {
        out += "| " + s.scenario + " | " + std::to_string(s.runs) + " | " + std::to_string(s.failures) + " | " +
               std::to_string(s.distinct_hashes) + " | " + s.policies + " |\n";
        runs += s.runs;
        failures += s.failures;
    }
    const auto groups = group_failures(store, campaign);
    out += "\n" + counted(runs, "run") + ", " + std::to_string(failures) + " failing, " +
           counted(groups.size(), "distinct failure") + ".\n";
    if (groups.empty()) return out;
    out += "\n## Failures\n";
    for (const auto& g : groups) {
        const auto& f = g.first;
        out += "\n### " + code(g.scenario) + ": " + code(g.signature) + "\n\n";
        out += "- " + std::to_string(g.occurrences) + (g.occurrences == 1 ? " run" : " runs") + "; first: run " +
               std::to_string(f.id) + " (seed " + std::to_string(f.spec.seed) + ", " + f.spec.policy + ")\n";
        out += "- message: " + code(checker::failure_headline(f.outcome, f.message)) + backtrace_block(f.message) + "\n";
        out += "- reproduce: " + code(checker::repro_command(f.spec)) + "\n";
        out += "- replay from the store: " + code(checker::replay_command(db_path, f.id)) + "\n";
        if (g.shrunk) {
            out += "- shrunk (" + std::to_string(checker::non_default_choices(f.spec.choices)) + " -> " +
                   std::to_string(checker::non_default_choices(g.shrunk->spec.choices)) +
                   " non-FIFO choices), run " + std::to_string(g.shrunk->id) + ": " +
                   code(checker::repro_command(g.shrunk->spec)) + "\n";
            if (g.shrunk->message != f.message) out += "  - its message: " + code(checker::failure_headline(g.shrunk->outcome, g.shrunk->message)) + "\n";
        }
    }
    return out;
}

}  // namespace corosim::reports
