#include "corosim/reports/junit.hpp"

#include <pugixml.hpp>

#include <map>
#include <sstream>

#include "corosim/checker/repro.hpp"
#include "corosim/checker/shrink.hpp"
#include "corosim/checker/signature.hpp"
#include "corosim/reports/failures.hpp"
#include "corosim/reports/text.hpp"

namespace corosim::reports {

namespace {
constexpr std::size_t kMessageBytes = 1024;  // the attribute CI tools show in one line
constexpr std::size_t kBodyBytes = 16384;

void set_attr(pugi::xml_node node, const char* name, std::string_view value, std::size_t max = kMessageBytes) {
    node.append_attribute(name).set_value(clean_text(value, max).c_str());
}
}  // namespace

std::string junit_xml(checker::Store& store, const std::string& db_path, std::int64_t campaign, double seconds) {
    const auto summary = store.summary(campaign);
    const auto groups = group_failures(store, campaign);
    std::map<std::string, std::size_t> failing;  // scenario -> groups
    for (const auto& g : groups) ++failing[g.scenario];
    std::size_t tests = 0;
    for (const auto& s : summary) tests += failing.contains(s.scenario) ? failing[s.scenario] : 1;

    pugi::xml_document doc;
    auto decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version").set_value("1.0");
    decl.append_attribute("encoding").set_value("UTF-8");
    auto suites = doc.append_child("testsuites");
    auto suite = suites.append_child("testsuite");
    for (auto node : {suites, suite}) {
        set_attr(node, "name", node == suites ? "corosim" : "corosim.fuzz");
        set_attr(node, "tests", std::to_string(tests));
        set_attr(node, "failures", std::to_string(groups.size()));
        set_attr(node, "errors", "0");
        if (seconds > 0) node.append_attribute("time").set_value(seconds);
    }
    suite.append_attribute("skipped").set_value(0);
    for (const auto& s : summary) {
        const std::string stats = counted(s.runs, "run") + ", " + std::to_string(s.failures) + " failing, " +
                                  counted(s.distinct_hashes, "distinct trace") + ", policies " + s.policies;
        if (!failing.contains(s.scenario)) {
            auto tc = suite.append_child("testcase");
            set_attr(tc, "classname", "corosim." + s.scenario);
            set_attr(tc, "name", "schedules");
            tc.append_child("system-out").text().set(clean_text(stats).c_str());
            continue;
        }
        for (const auto& g : groups) {
            if (g.scenario != s.scenario) continue;
            const auto& f = g.first;
            auto tc = suite.append_child("testcase");
            set_attr(tc, "classname", "corosim." + s.scenario);
            set_attr(tc, "name", g.signature, 200);
            auto failure = tc.append_child("failure");
            set_attr(failure, "type", f.outcome);
            set_attr(failure, "message", checker::failure_headline(f.outcome, f.message));
            std::string body = checker::failure_headline(f.outcome, f.message);
            if (const auto frames = checker::message_backtrace(f.message); !frames.empty()) body += "\n" + std::string(frames);
            body += "\n\n" + std::to_string(g.occurrences) +
                               (g.occurrences == 1 ? " failing run" : " failing runs") + "; first: run " +
                               std::to_string(f.id) + "\nreproduce: " + checker::repro_command(f.spec) +
                               "\nreplay from the store: " + checker::replay_command(db_path, f.id) + "\n";
            if (g.shrunk) {
                body += "shrunk (" + std::to_string(checker::non_default_choices(f.spec.choices)) + " -> " +
                        std::to_string(checker::non_default_choices(g.shrunk->spec.choices)) +
                        " non-FIFO choices): " + checker::repro_command(g.shrunk->spec) +
                        "\nshrunk run's message: " + checker::failure_headline(g.shrunk->outcome, g.shrunk->message) + "\n";
            }
            failure.text().set(clean_text(body, kBodyBytes).c_str());
            tc.append_child("system-out").text().set(clean_text(stats).c_str());
        }
    }
    std::ostringstream out;
    doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
    return out.str();
}

}  // namespace corosim::reports
