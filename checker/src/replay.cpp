#include "corosim/checker/replay.hpp"

#include <algorithm>
#include <chrono>

#include "corosim/checker/isolation.hpp"
#include "corosim/checker/wire.hpp"
#include "corosim/scheduler/policies.hpp"

namespace corosim::checker {

RunSpec replay_spec(const StoredRun& stored) {
    RunSpec spec = stored.spec;
    // A FIFO run never consulted a policy; everything else replays its recorded choices, asked
    // the same jitter and buggify questions as the original.
    if (spec.policy != "fifo") spec.policy = sched::parse_policy(spec.policy).as_replay().str();
    spec.level = TraceLevel::kFull;
    return spec;
}

std::string describe(const StoredEvent& e) {
    if (e.kind == static_cast<std::uint16_t>(EventKind::kLine)) return format_line(e.vtime, e.name, e.text);
    std::string text = "#" + std::to_string(e.kind) + " a=" + std::to_string(e.a) + " b=" + std::to_string(e.b);
    if (!e.name.empty()) text += " name=" + e.name;
    return format_line(e.vtime, e.task ? "task#" + std::to_string(e.task) : "-", text);
}

ReplayReport replay(const scenarios::Scenario& scenario, const StoredRun& stored,
                    const std::vector<StoredEvent>& events) {
    ReplayReport report;
    report.other_version = stored.harness_version != harness_version();
    if (stored.outcome == "crash") {
        // A crashed worker reported no choices: re-run the original policy and seed, in a child
        // process, and expect it to crash again.
        RunSpec spec = stored.spec;
        spec.level = TraceLevel::kOff;
        const auto child = run_spec_in_child(scenario, spec, false, std::chrono::seconds(60));
        report.reproduced = !child.has_value();
        report.crashed = report.reproduced;
        if (child) {
            report.new_hash = hash_hex(child->report.trace_hash);
            report.context.push_back("  the run completed with outcome " + child->report.outcome +
                                     " instead of crashing");
        }
        return report;
    }
    report.result = run_spec(scenario, replay_spec(stored));
    report.new_hash = hash_hex(report.result.trace_hash);
    if (events.empty()) {
        report.reproduced = report.new_hash == stored.trace_hash;
        return report;
    }
    report.compared_events = true;
    const std::vector<StoredEvent> fresh = stored_events(report.result.trace);
    const std::size_t n = std::min(fresh.size(), events.size());
    std::size_t i = 0;
    while (i < n && fresh[i] == events[i]) ++i;
    if (i == fresh.size() && i == events.size()) {
        report.reproduced = report.new_hash == stored.trace_hash;
        if (!report.reproduced) report.divergence = i;
        return report;
    }
    report.divergence = i;
    const std::size_t from = i >= 3 ? i - 3 : 0;
    for (std::size_t j = from; j < i; ++j) report.context.push_back("  " + describe(events[j]));
    report.context.push_back("- " + (i < events.size() ? describe(events[i]) : std::string("<end of stored trace>")));
    report.context.push_back("+ " + (i < fresh.size() ? describe(fresh[i]) : std::string("<end of new trace>")));
    return report;
}

}  // namespace corosim::checker
