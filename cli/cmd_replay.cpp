#include <iostream>
#include <memory>

#include "commands.hpp"
#include "corosim/checker/replay.hpp"
#include "corosim/checker/repro.hpp"

namespace corosim::cli {

namespace {
struct ReplayOptions {
    std::string db;
    std::int64_t run = 0;
    std::string trace;  // "", "summary" or "full"
};

int run_replay(const ReplayOptions& opt) {
    checker::Store store(opt.db, /*create=*/false);
    const auto stored = store.run(opt.run);
    if (!stored) throw UsageError("no run " + std::to_string(opt.run) + " in '" + opt.db + "'");
    const scenarios::Scenario& scenario = find_scenario(stored->spec.scenario);
    const auto events = store.events(opt.run);
    const checker::ReplayReport report = checker::replay(scenario, *stored, events);
    if (report.other_version) {
        std::cerr << "corosim: warning: run " << opt.run << " was stored by corosim " << stored->harness_version
                  << ", this is " << checker::harness_version() << "\n";
    }
    if (!opt.trace.empty() && opt.trace != "summary" && opt.trace != "full") {
        throw UsageError("--trace takes 'summary' or 'full', got '" + opt.trace + "'");
    }
    if (!opt.trace.empty()) std::cout << report.result.trace.render_all(opt.trace == "full");
    const std::string what = "run " + std::to_string(opt.run) + " (" + stored->spec.scenario + " seed=" +
                             std::to_string(stored->spec.seed) + " policy=" + stored->spec.policy + ")";
    if (report.crashed) {
        std::cout << "reproduced " << what << ": the run crashes again (" << stored->message << ")\n";
        return kExitOk;
    }
    if (report.reproduced) {
        std::cout << "reproduced " << what << ": "
                  << (report.compared_events ? std::to_string(events.size()) + " events identical, " : "")
                  << "hash " << report.new_hash << ", outcome " << outcome_name(report.result.outcome);
        if (!report.result.message.empty()) std::cout << " (" << report.result.message << ")";
        std::cout << "\n";
        if (stored->outcome != "pass") std::cout << "  reproduce without the store: " << checker::repro_command(stored->spec) << "\n";
        return kExitOk;
    }
    std::cout << "diverged " << what << ": stored hash " << stored->trace_hash << ", new hash " << report.new_hash
              << "\n";
    if (report.divergence) {
        std::cout << "first difference at event " << *report.divergence << " (- stored, + new):\n";
        for (const auto& line : report.context) std::cout << line << "\n";
    }
    return kExitFailures;
}
}  // namespace

Command add_replay(CLI::App& app) {
    auto opt = std::make_shared<ReplayOptions>();
    auto* sub = app.add_subcommand("replay", "Re-run a stored run and diff its trace with the stored one");
    sub->add_option("--db", opt->db, "Trace database")->required()->check(CLI::ExistingFile);
    sub->add_option("--run", opt->run, "Run id")->required();
    sub->add_flag("--trace{summary}", opt->trace, "Also print the new run's trace: --trace or --trace=full");
    return {sub, [opt] { return run_replay(*opt); }};
}

}  // namespace corosim::cli
