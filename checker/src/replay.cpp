#include "corosim/checker/replay.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string_view>

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

void validate_stored(const scenarios::Scenario& scenario, const StoredRun& stored) {
    std::string bad;
    const auto add = [&bad](const std::string& what) { bad += (bad.empty() ? "" : ", ") + what; };
    for (const auto& spec : scenario.params) {
        const auto it = stored.spec.params.find(spec.name);
        if (it == stored.spec.params.end()) {
            add("'" + spec.name + "' missing");
        } else if (it->second < spec.min || it->second > spec.max) {
            add("'" + spec.name + "'=" + std::to_string(it->second) + " out of range [" + std::to_string(spec.min) +
                ", " + std::to_string(spec.max) + "]");
        }
    }
    for (const auto& entry : stored.spec.params) {
        // Not a structured binding: clang 14 cannot capture one in a lambda.
        const std::string& name = entry.first;
        const bool known = std::any_of(scenario.params.begin(), scenario.params.end(),
                                       [&](const scenarios::ParamSpec& p) { return p.name == name; });
        if (!known) add("'" + name + "' unknown to " + scenario.name);
    }
    if (!bad.empty()) {
        throw std::invalid_argument("run " + std::to_string(stored.id) + " has bad stored parameters: " + bad);
    }
    // What replay compares the re-run with: an outcome no run can end with (an edited row)
    // could never be reproduced, and must not be called reproduced either.
    static constexpr std::string_view kOutcomes[] = {"pass",     "fail",  "error", "deadlock",
                                                     "livelock", "crash", "hang",  "oom"};
    if (stored.id != 0 && std::find(std::begin(kOutcomes), std::end(kOutcomes), stored.outcome) == std::end(kOutcomes)) {
        throw std::invalid_argument("run " + std::to_string(stored.id) + " has a bad stored outcome '" + stored.outcome +
                                    "'");
    }
    try {
        sched::parse_policy(stored.spec.policy);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("run " + std::to_string(stored.id) + " has a bad stored policy: " + e.what());
    }
}

ReplayReport replay(const scenarios::Scenario& scenario, const StoredRun& stored,
                    const std::vector<StoredEvent>& events, const ChildLimits& limits, bool full_text) {
    ReplayReport report;
    report.other_version = stored.harness_version != harness_version();
    if (stored.outcome == "crash" || stored.outcome == "hang" || stored.outcome == "oom") {
        // The worker died before reporting choices: re-run the original policy and seed, and
        // expect the run's process to end the same way again.
        RunSpec spec = stored.spec;
        spec.choices.clear();
        spec.level = TraceLevel::kOff;
        const ChildRun child = run_spec_in_child(scenario, spec, false, limits);
        report.ended = child.end == ChildEnd::kOk ? "" : child_end_outcome(child.end);
        report.why = child.why;
        report.reproduced = report.ended == stored.outcome;
        report.crashed = report.reproduced;
        if (child.end == ChildEnd::kOk) {
            report.new_hash = hash_hex(child.report.trace_hash);
            report.result = child.report;
            report.context.push_back("  the run completed with outcome " + child.report.outcome + " instead of " +
                                     stored.outcome);
        } else if (!report.reproduced) {
            report.context.push_back("  the run ended with " + report.ended + " instead of " + stored.outcome + ": " +
                                     child.why);
        }
        return report;
    }
    const RunSpec spec = replay_spec(stored);
    ChildRun child = run_spec_in_child(scenario, spec, full_text, limits);
    if (child.end != ChildEnd::kOk) {
        report.ended = child_end_outcome(child.end);
        report.why = child.why;
        report.context.push_back("  the replay ended with " + report.ended + ": " + child.why);
        return report;
    }
    report.result = std::move(child.report);
    report.trace_text = std::move(child.trace_text);
    if (spec.policy == "replay") {
        const auto& want = stored.spec.choices;
        const auto& got = report.result.choices;
        for (std::size_t i = 0; i < std::min(want.size(), got.size()); ++i) {
            if (want[i] != got[i]) {
                throw std::invalid_argument("run " + std::to_string(stored.id) + " has a bad stored choice: #" +
                                            std::to_string(i) + " is " + std::to_string(want[i]) +
                                            ", out of range for that choice point");
            }
        }
    }
    report.new_hash = hash_hex(report.result.trace_hash);
    const bool same_verdict = report.result.outcome == stored.outcome && report.result.message == stored.message;
    const auto verdict_context = [&] {
        report.context.push_back("- outcome " + stored.outcome + ": " + stored.message);
        report.context.push_back("+ outcome " + report.result.outcome + ": " + report.result.message);
    };
    if (events.empty()) {
        report.reproduced = report.new_hash == stored.trace_hash && same_verdict;
        if (!same_verdict) verdict_context();
        return report;
    }
    report.compared_events = true;
    const std::vector<StoredEvent>& fresh = report.result.events;
    const std::size_t n = std::min(fresh.size(), events.size());
    std::size_t i = 0;
    while (i < n && fresh[i] == events[i]) ++i;
    if (i == fresh.size() && i == events.size()) {
        report.reproduced = report.new_hash == stored.trace_hash && same_verdict;
        if (report.new_hash != stored.trace_hash) report.divergence = i;
        if (!same_verdict) verdict_context();
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
