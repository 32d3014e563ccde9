#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "corosim/checker/campaign.hpp"
#include "corosim/reports/markdown.hpp"
#include "corosim/scheduler/policies.hpp"

namespace corosim::cli {

namespace {
struct FuzzOptions {
    bool all = false;
    bool include_planted = false;
    std::vector<std::string> scenarios;
    std::uint64_t runs = 100;
    std::uint64_t seed = 1;
    std::string db = "corosim.db";
    std::string record = "failures";
    std::vector<std::string> policies;
};

// Progress on stderr: an updating line on a terminal, a plain line every few seconds otherwise.
class Progress {
public:
    Progress() : tty_(isatty(STDERR_FILENO) != 0), start_(Clock::now()), last_(start_) {}
    void update(std::uint64_t done, std::uint64_t total) {
        const auto now = Clock::now();
        const bool final = done == total;
        if (!final && now - last_ < (tty_ ? std::chrono::milliseconds(100) : std::chrono::seconds(5))) return;
        last_ = now;
        const double secs = std::chrono::duration<double>(now - start_).count();
        const double rate = secs > 0 ? static_cast<double>(done) / secs : 0.0;
        const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0.0;
        char line[160];
        std::snprintf(line, sizeof line, "fuzz: %llu/%llu runs, %.0f runs/s, ETA %.0fs",
                      static_cast<unsigned long long>(done), static_cast<unsigned long long>(total), rate, eta);
        if (tty_) {
            std::cerr << "\r" << line << (final ? "\n" : "") << std::flush;
        } else {
            std::cerr << line << "\n";
        }
    }

private:
    using Clock = std::chrono::steady_clock;
    bool tty_;
    Clock::time_point start_;
    Clock::time_point last_;
};

int run_fuzz(const FuzzOptions& opt) {
    checker::CampaignOptions copt;
    copt.runs = opt.runs;
    copt.seed_base = opt.seed;
    if (opt.record != "failures" && opt.record != "all") {
        throw UsageError("--record takes 'failures' or 'all', got '" + opt.record + "'");
    }
    copt.record_all = opt.record == "all";
    if (!opt.policies.empty()) {
        copt.policies.clear();
        for (const auto& p : opt.policies) {
            try {
                copt.policies.push_back(sched::parse_policy(p).str());
            } catch (const std::invalid_argument& e) {
                throw UsageError(e.what());
            }
            if (copt.policies.back() == "replay") throw UsageError("--policies cannot include 'replay'");
        }
    }
    if (opt.all) {
        for (const auto& [name, s] : scenarios::builtin_registry().all()) {
            if (!s.planted || opt.include_planted) copt.scenarios.push_back(&s);
        }
    }
    for (const auto& name : opt.scenarios) copt.scenarios.push_back(&find_scenario(name));
    if (copt.scenarios.empty()) throw UsageError("nothing to fuzz: give --all or --scenario NAME");
    if (opt.runs == 0) throw UsageError("--runs must be at least 1");

    checker::Store store(opt.db);
    Progress progress;
    const auto result = checker::run_campaign(store, "fuzz", copt,
                                            [&](std::uint64_t d, std::uint64_t t) { progress.update(d, t); });
    std::cout << reports::markdown_summary(store, opt.db, result.campaign_id);
    for (const auto& f : result.failures) {
        std::cout << "FAIL " << f.scenario << ": " << f.outcome << ": " << f.message << "\n  "
                  << reports::replay_command(opt.db, f.run_id) << "\n";
    }
    return result.failures.empty() ? kExitOk : kExitFailures;
}
}  // namespace

Command add_fuzz(CLI::App& app) {
    auto opt = std::make_shared<FuzzOptions>();
    auto* sub = app.add_subcommand("fuzz", "Explore scenarios over seeds, policies and parameters into a store");
    sub->add_flag("--all", opt->all, "Every built-in scenario (planted bugs excluded)");
    sub->add_flag("--include-planted", opt->include_planted, "With --all, include the planted-bug scenarios");
    sub->add_option("--scenario", opt->scenarios, "A scenario to fuzz (repeatable)");
    sub->add_option("--runs", opt->runs, "Runs per scenario");
    sub->add_option("--seed", opt->seed, "First seed of the campaign");
    sub->add_option("--db", opt->db, "SQLite store to write");
    sub->add_option("--record", opt->record, "Which runs keep their events: failures | all");
    sub->add_option("--policies", opt->policies, "Policy rotation (default fifo random pct:3)")->delimiter(',');
    return {sub, [opt] { return run_fuzz(*opt); }};
}

}  // namespace corosim::cli
