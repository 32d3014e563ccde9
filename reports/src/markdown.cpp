#include "corosim/reports/markdown.hpp"

namespace corosim::reports {

std::string replay_command(const std::string& db_path, std::int64_t id) {
    return "corosim replay --db " + db_path + " --run " + std::to_string(id);
}

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
    out += "\n" + std::to_string(runs) + " runs, " + std::to_string(failures) + " failures.\n";
    const auto failed = store.failures(campaign);
    if (!failed.empty()) {
        out += "\n## Failures\n\n";
        for (const auto& f : failed) {
            out += "- `" + f.spec.scenario + "` " + f.outcome + ": " + f.message + " (seed " +
                   std::to_string(f.spec.seed) + ", " + f.spec.policy + "): `" + replay_command(db_path, f.id) + "`\n";
        }
    }
    return out;
}

}  // namespace corosim::reports
