// cmd_explore.cpp: `corosim explore SCENARIO --preemptions K`: every schedule up to K non-FIFO
// choices (checker/explore.hpp). Exit 0 when all pass (complete or stopped at --max-schedules),
// 1 with the first failure stored and its repro line printed.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "corosim/checker/explore.hpp"
#include "corosim/checker/repro.hpp"
#include "corosim/checker/store.hpp"
#include "corosim/checker/wire.hpp"
#include "corosim/reports/text.hpp"

namespace corosim::cli {

namespace {
struct ExploreCli {
    std::string scenario;
    std::vector<std::string> params;
    std::string preemptions = "2";
    std::string max_schedules = "100000";
    bool no_reduction = false;
    std::string db;
    std::string python = "3.12";
};

int run_explore(const ExploreCli& opt) {
    const scenarios::Scenario& scenario = find_scenario(opt.scenario);
    // Parsed as text so that a negative number is refused instead of wrapping around.
    const std::uint64_t preemptions = parse_u64("--preemptions", opt.preemptions);
    if (preemptions > 64) throw UsageError("--preemptions wants 0..64, got " + opt.preemptions);
    const std::uint64_t max_schedules = parse_u64("--max-schedules", opt.max_schedules, 1);
    checker::RunSpec base = checker::default_spec(scenario);
    base.python = parse_python(opt.python);
    try {
        for (const auto& p : opt.params) scenario.apply(base.params, p);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    checker::ExploreOptions eopt;
    eopt.preemptions = static_cast<std::uint32_t>(preemptions);
    eopt.max_schedules = max_schedules;
    eopt.reduction = !opt.no_reduction;
    const checker::ExploreResult r = checker::explore(scenario, base, eopt);
    if (r.diverged) {
        std::cout << "explore " << scenario.name << ": the scenario is not deterministic under replay (a replayed "
                  << "prefix met different choice points) after " << reports::counted(r.schedules, "schedule") << "\n";
        return kExitFailures;
    }
    if (!r.failure) {
        if (r.complete) {
            // "all 1 schedule" would read oddly: with --preemptions 0 there is exactly one.
            std::cout << (r.schedules == 1 ? "the only schedule explored, " : "all " + std::to_string(r.schedules) + " schedules explored, ")
                      << r.pruned << " pruned, no violation (" << scenario.name << ", at most "
                      << reports::counted(preemptions, "preemption") << ")\n";
        } else {
            std::cout << "stopped after " << reports::counted(r.schedules, "schedule") << " (--max-schedules), " << r.pruned
                      << " pruned, no violation so far (" << scenario.name << ", at most "
                      << reports::counted(preemptions, "preemption") << ")\n";
        }
        return kExitOk;
    }
    std::int64_t id = 0;
    if (!opt.db.empty()) {
        checker::Store store(opt.db);
        const std::int64_t campaign = store.begin_campaign("explore " + scenario.name);
        store.begin();
        id = store.add_run(campaign, *r.failure, r.failing_run, true);
        store.commit();
    }
    std::cout << "FAIL " << scenario.name << ": "
              << checker::failure_headline(outcome_name(r.failing_run.outcome), r.failing_run.message) << " (schedule "
              << r.schedules << ", " << r.pruned << " pruned)\n";
    std::cout << "  repro: " << checker::repro_command(*r.failure) << "\n";
    if (id != 0) std::cout << "  replay: " << checker::replay_command(opt.db, id) << "\n";
    return kExitFailures;
}
}  // namespace

Command add_explore(CLI::App& app) {
    auto opt = std::make_shared<ExploreCli>();
    auto* sub = app.add_subcommand("explore", "Run every schedule with at most K non-FIFO choices (bounded exhaustive)");
    sub->add_option("scenario", opt->scenario, "Scenario name (see `corosim list`)")->required();
    sub->add_option("--param", opt->params, "Set a parameter: --param key=value (repeatable)");
    sub->add_option("--preemptions", opt->preemptions, "K: non-FIFO choices per schedule (default 2)");
    sub->add_option("--max-schedules", opt->max_schedules, "Stop after this many schedules (default 100000)");
    sub->add_flag("--no-reduction", opt->no_reduction, "Run every order, also of callbacks that commute");
    sub->add_option("--python", opt->python, "CPython version to reproduce: 3.11, 3.12 (default) or 3.13");
    sub->add_option("--db", opt->db, "Store the first failing schedule (with its events) in this SQLite file");
    return {sub, [opt] { return run_explore(*opt); }};
}

}  // namespace corosim::cli
