#include "corosim/reports/junit.hpp"

#include <map>
#include <vector>

#include "corosim/reports/markdown.hpp"

namespace corosim::reports {

namespace {
std::string xml_escape(const std::string& s) {
    std::string out;
    for (const char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
                    out += ' ';
                } else {
                    out += c;
                }
        }
    }
    return out;
}
}  // namespace

std::string junit_xml(checker::Store& store, const std::string& db_path, std::int64_t campaign) {
    const auto summary = store.summary(campaign);
    std::map<std::string, std::vector<checker::StoredRun>> failures;
    std::int64_t total_failures = 0;
    for (auto& f : store.failures(campaign)) {
        if (f.parent != 0) continue;  // shrunk runs are reported with their original
        failures[f.spec.scenario].push_back(f);
        ++total_failures;
    }
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<testsuites name=\"corosim\" tests=\"" + std::to_string(summary.size()) + "\" failures=\"" +
           std::to_string(failures.size()) + "\">\n";
    out += "  <testsuite name=\"corosim.fuzz\" tests=\"" + std::to_string(summary.size()) + "\" failures=\"" +
           std::to_string(failures.size()) + "\">\n";
    for (const auto& s : summary) {
        out += "    <testcase classname=\"corosim.fuzz\" name=\"" + xml_escape(s.scenario) + "\">\n";
        out += "      <system-out>" + std::to_string(s.runs) + " runs, " + std::to_string(s.distinct_hashes) +
               " distinct traces, policies " + xml_escape(s.policies) + "</system-out>\n";
        if (auto it = failures.find(s.scenario); it != failures.end()) {
            const auto& first = it->second.front();
            std::string text;
            for (const auto& f : it->second) {
                text += f.outcome + ": " + f.message + " (seed " + std::to_string(f.spec.seed) + ", " + f.spec.policy +
                        ")\n  " + replay_command(db_path, f.id) + "\n";
            }
            out += "      <failure message=\"" + xml_escape(std::to_string(it->second.size()) + " failing runs; first: " +
                                                      first.outcome + ": " + first.message) +
                   "\">" + xml_escape(text) + "</failure>\n";
        }
        out += "    </testcase>\n";
    }
    out += "  </testsuite>\n</testsuites>\n";
    (void)total_failures;
    return out;
}

}  // namespace corosim::reports
