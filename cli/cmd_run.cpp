#include <charconv>
#include <chrono>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "corosim/checker/isolation.hpp"
#include "corosim/checker/runner.hpp"
#include "corosim/checker/wire.hpp"
#include "corosim/checker/store.hpp"
#include "corosim/scheduler/policies.hpp"

namespace corosim::cli {

namespace {
struct RunOptions {
    std::string scenario;
    std::uint64_t seed = 0;
    std::string policy = "fifo";
    std::vector<std::string> params;
    std::string trace;  // "", "summary" or "full"
    std::string db;
    std::string choices;
    bool json = false;
    std::uint64_t max_steps = 5'000'000;
};

std::vector<std::uint32_t> parse_choices(const std::string& text) {
    std::vector<std::uint32_t> out;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t j = text.find(',', i);
        if (j == std::string::npos) j = text.size();
        std::uint32_t v = 0;
        const auto [end, ec] = std::from_chars(text.data() + i, text.data() + j, v);
        if (ec != std::errc() || end != text.data() + j) {
            throw UsageError("--choices wants comma-separated integers, got '" + text + "'");
        }
        out.push_back(v);
        i = j + 1;
    }
    return out;
}

int run_run(const RunOptions& opt) {
    const scenarios::Scenario& scenario = find_scenario(opt.scenario);
    checker::RunSpec spec;
    spec.scenario = scenario.name;
    spec.seed = opt.seed;
    spec.max_steps = opt.max_steps;
    try {
        spec.policy = sched::parse_policy(opt.policy).str();
        spec.params = scenario.defaults();
        for (const auto& p : opt.params) scenario.apply(spec.params, p);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    if (!opt.choices.empty()) {
        spec.choices = parse_choices(opt.choices);
        spec.policy = "replay";
    }
    if (opt.trace == "full" || !opt.db.empty()) {
        spec.level = TraceLevel::kFull;
    } else if (opt.trace == "summary") {
        spec.level = TraceLevel::kSummary;
    } else if (!opt.trace.empty()) {
        throw UsageError("--trace takes 'summary' or 'full', got '" + opt.trace + "'");
    } else {
        spec.level = TraceLevel::kOff;
    }

    // The run happens in a child process, so a scenario that aborts or takes a signal is
    // reported (outcome crash, exit 1) instead of taking the CLI down.
    const auto child = checker::run_spec_in_child(scenario, spec, opt.trace == "full", std::chrono::hours(24));
    checker::RunReport result;
    std::string trace_text;
    if (child) {
        result = std::move(child->report);
        trace_text = std::move(child->trace_text);
    } else {
        result.outcome = "crash";
        result.message = "the scenario crashed the run (signal or abort)";
    }
    std::int64_t run_id = 0;
    if (!opt.db.empty()) {
        checker::Store store(opt.db);
        const auto campaign = store.begin_campaign("run " + scenario.name);
        store.begin();
        run_id = store.add_report(campaign, spec, result);
        store.commit();
    }

    if (!opt.trace.empty()) std::cout << trace_text;
    const std::string hash = hash_hex(result.trace_hash);
    if (opt.json) {
        std::string out = "{\"scenario\":" + json_str(scenario.name) + ",\"seed\":" + std::to_string(spec.seed) +
                          ",\"policy\":" + json_str(spec.policy) + ",\"params\":" + scenarios::params_json(spec.params) +
                          ",\"outcome\":" + json_str(result.outcome) +
                          ",\"message\":" + json_str(result.message) + ",\"steps\":" + std::to_string(result.steps) +
                          ",\"vtime_ns\":" + std::to_string(result.vtime) + ",\"trace_hash\":" + json_str(hash) +
                          ",\"choices\":" + std::to_string(result.choices.size());
        if (run_id != 0) out += ",\"run_id\":" + std::to_string(run_id);
        std::cout << out << "}\n";
    } else {
        // With --trace, stdout is exactly the trace (the conformance suite diffs it).
        std::ostream& os = opt.trace.empty() ? std::cout : std::cerr;
        os << result.outcome << " " << scenario.name << " seed=" << spec.seed << " policy=" << spec.policy
           << " steps=" << result.steps << " vtime_ns=" << result.vtime << " hash=" << hash;
        if (run_id != 0) os << " run_id=" << run_id;
        if (!result.message.empty()) os << "\n  " << result.message;
        os << "\n";
    }
    return result.outcome == "pass" ? kExitOk : kExitFailures;
}
}  // namespace

Command add_run(CLI::App& app) {
    auto opt = std::make_shared<RunOptions>();
    auto* sub = app.add_subcommand("run", "Run one scenario and print its verdict (and trace)");
    sub->add_option("scenario", opt->scenario, "Scenario name (see `corosim list`)")->required();
    sub->add_option("--seed", opt->seed, "Seed for the policy and the scenario");
    sub->add_option("--policy", opt->policy, "fifo | random | pct[:D] | replay");
    sub->add_option("--param", opt->params, "Set a parameter: --param key=value (repeatable)");
    sub->add_flag("--trace{summary}", opt->trace, "Print the trace: --trace (conformance view) or --trace=full");
    sub->add_option("--db", opt->db, "Store the run (with its events) in this SQLite file");
    sub->add_option("--choices", opt->choices, "Force a choice sequence (comma-separated), as replay does");
    sub->add_option("--max-steps", opt->max_steps, "Livelock budget in loop callbacks");
    sub->add_flag("--json", opt->json, "Print the verdict as one JSON object");
    return {sub, [opt] { return run_run(*opt); }};
}

}  // namespace corosim::cli
