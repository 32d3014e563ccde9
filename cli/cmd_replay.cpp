#include <iostream>
#include <memory>

#include "commands.hpp"
#include "corosim/checker/campaign.hpp"
#include "corosim/checker/hint.hpp"
#include "corosim/checker/replay.hpp"
#include "corosim/checker/repro.hpp"
#include "corosim/checker/signature.hpp"
#include "corosim/reports/explain.hpp"
#include "corosim/reports/text.hpp"

namespace corosim::cli {

namespace {
struct ReplayOptions {
    std::string db;
    std::string run;
    std::string trace;  // "", "summary" or "full"
    std::string timeout = "60s";
    std::string max_memory;
};

// The memory limit a stored oom ran under (its campaign's), so it can run out again.
std::uint64_t campaign_memory_limit(checker::Store& store, const checker::StoredRun& run) {
    const auto campaign = store.campaign(run.campaign);
    if (!campaign || campaign->options.empty()) return 0;
    try {
        return checker::parse_campaign_options(campaign->options, scenarios::all_scenarios()).max_memory_mb;
    } catch (const std::invalid_argument&) {
        return 0;
    }
}

int run_replay(const ReplayOptions& opt) {
    const std::int64_t id = static_cast<std::int64_t>(parse_u64("--run", opt.run, 1));
    if (!opt.trace.empty() && opt.trace != "summary" && opt.trace != "full") {
        throw UsageError("--trace takes 'summary' or 'full', got '" + opt.trace + "'");
    }
    checker::ChildLimits limits;
    limits.timeout = parse_duration("--timeout", opt.timeout);
    if (!opt.max_memory.empty()) limits.max_memory_mb = parse_megabytes("--max-memory", opt.max_memory);
    checker::Store store(opt.db, checker::Store::kReadOnly);
    const auto stored = store.run(id);
    if (!stored) throw UsageError("no run " + std::to_string(id) + " in '" + opt.db + "'");
    const scenarios::Scenario& scenario = find_scenario(stored->spec.scenario);
    if (stored->outcome == "oom" && opt.max_memory.empty()) limits.max_memory_mb = campaign_memory_limit(store, *stored);
    const auto events = store.events(id);
    checker::ReplayReport report;
    try {
        checker::validate_stored(scenario, *stored);
        report = checker::replay(scenario, *stored, events, limits, opt.trace == "full");
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string(e.what()) + " in '" + opt.db + "'");
    }
    if (report.other_version) {
        std::cerr << "corosim: warning: run " << id << " was stored by corosim " << terminal_text(stored->harness_version)
                  << ", this is " << checker::harness_version() << "\n";
    }
    if (!opt.trace.empty()) std::cout << report.trace_text;
    const std::string what = "run " + std::to_string(id) + " (" + stored->spec.scenario + " seed=" +
                             std::to_string(stored->spec.seed) + " policy=" + terminal_text(stored->spec.policy) +
                             (stored->spec.python != PythonVersion::k3_12
                                  ? std::string(" python=") + python_version_name(stored->spec.python)
                                  : std::string()) +
                             ")";
    if (report.crashed) {
        std::cout << "reproduced " << what << ": the run ends with " << report.ended << " again ("
                  << terminal_text(checker::message_headline(report.why)) << ")" << terminal_backtrace(report.why, "")
                  << "\n";
        if (const std::string hint = checker::failure_hint(stored->outcome, report.why); !hint.empty()) std::cout << "  " << hint << "\n";
        return kExitOk;
    }
    if (report.reproduced) {
        std::cout << "reproduced " << what << ": "
                  << (report.compared_events ? reports::counted(events.size(), "event") + " identical, " : "")
                  << "hash " << report.new_hash << ", outcome " << report.result.outcome;
        if (!report.result.message.empty()) std::cout << " (" << terminal_text(checker::message_headline(report.result.message)) << ")";
        std::cout << "\n";
        if (stored->outcome != "pass") std::cout << "  reproduce without the store: " << checker::repro_command(stored->spec) << "\n";
        if (const std::string hint = checker::failure_hint(report.result.outcome, report.result.message); !hint.empty()) {
            std::cout << "  " << hint << "\n";
        }
        // What made this schedule differ from asyncio's, in task terms (stored events only).
        const std::vector<std::string> choices = reports::explain_choices(events);
        if (!choices.empty()) {
            std::cout << "  non-FIFO choices (" << choices.size() << "):\n";
            for (const std::string& c : choices) std::cout << "    " << terminal_text(c) << "\n";
        }
        return kExitOk;
    }
    std::cout << "diverged " << what << ": stored hash " << terminal_text(stored->trace_hash) << ", new hash "
              << (report.new_hash.empty() ? "none" : report.new_hash) << "\n";
    if (report.divergence) std::cout << "first difference at event " << *report.divergence << " (- stored, + new):\n";
    for (const auto& line : report.context) std::cout << terminal_text(line) << "\n";
    return kExitFailures;
}
}  // namespace

Command add_replay(CLI::App& app) {
    auto opt = std::make_shared<ReplayOptions>();
    auto* sub = app.add_subcommand("replay", "Re-run a stored run and diff its trace with the stored one");
    sub->add_option("--db", opt->db, "Trace database")->required()->check(CLI::ExistingFile);
    sub->add_option("--run", opt->run, "Run id")->required();
    sub->add_flag("--trace{summary}", opt->trace, "Also print the new run's trace: --trace or --trace=full");
    sub->add_option("--timeout", opt->timeout, "Wall-clock limit of the re-run (default 60s)");
    sub->add_option("--max-memory", opt->max_memory,
                    "Address-space limit of the re-run, e.g. 512M (default: none, or a stored oom's campaign limit)");
    return {sub, [opt] { return run_replay(*opt); }};
}

}  // namespace corosim::cli
