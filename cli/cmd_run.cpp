#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "corosim/checker/hint.hpp"
#include "corosim/checker/isolation.hpp"
#include "corosim/checker/repro.hpp"
#include "corosim/checker/signature.hpp"
#include "corosim/checker/runner.hpp"
#include "corosim/checker/wire.hpp"
#include "corosim/checker/store.hpp"
#include "corosim/reports/explain.hpp"
#include "corosim/scheduler/policies.hpp"

namespace corosim::cli {

namespace {
struct RunOptions {
    std::string scenario;
    std::string seed = "0";
    std::string policy = "fifo";
    std::vector<std::string> params;
    std::string trace;  // "", "summary" or "full"
    std::string db;
    std::string choices;
    bool json = false;
    bool inline_run = false;
    std::string max_steps = "5000000";
    std::string timeout = "60s";
    std::string max_memory;
    std::string python = "3.12";
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
    spec.seed = parse_u64("--seed", opt.seed);
    spec.max_steps = parse_u64("--max-steps", opt.max_steps, 1);
    spec.python = parse_python(opt.python);
    checker::ChildLimits limits;
    limits.timeout = parse_duration("--timeout", opt.timeout);
    if (!opt.max_memory.empty()) limits.max_memory_mb = parse_megabytes("--max-memory", opt.max_memory);
    try {
        spec.policy = sched::parse_policy(opt.policy).str();
        spec.params = scenario.defaults();
        for (const auto& p : opt.params) scenario.apply(spec.params, p);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    if (!opt.choices.empty()) {
        spec.choices = parse_choices(opt.choices);
        spec.policy = sched::parse_policy(spec.policy).as_replay().str();
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

    checker::RunReport result;
    std::string trace_text;
    if (opt.inline_run) {
        // In this process, so a debugger's breakpoints in the scenario fire; a crash takes the
        // CLI down with it.
        const RunResult r = checker::run_spec(scenario, spec);
        result = checker::make_report(r, spec.level == TraceLevel::kFull);
        trace_text = r.trace.render_all(opt.trace == "full");
    } else if (auto child = checker::run_spec_in_child(scenario, spec, opt.trace == "full", limits);
               child.end == checker::ChildEnd::kOk) {
        // By default the run happens in a child process, so a scenario that aborts, takes a
        // signal, never yields or exhausts its memory is reported (outcome crash, hang or oom,
        // exit 1) instead of taking the CLI down or waiting forever.
        result = std::move(child.report);
        trace_text = std::move(child.trace_text);
    } else {
        result.outcome = checker::child_end_outcome(child.end);
        result.message = child.why;
    }
    // A failure's non-FIFO choices in task terms, as replay explains them. The events behind the
    // sentences are kept only at the full level: a run without them is run again at that
    // level (the same hash, or no explanation).
    std::vector<std::string> explained;
    const bool failed_in_loop = result.outcome != "pass" && result.outcome != "crash" && result.outcome != "hang" &&
                                result.outcome != "oom";
    if (failed_in_loop && std::any_of(result.choices.begin(), result.choices.end(), [](std::uint32_t c) { return c != 0; })) {
        std::vector<checker::StoredEvent> events = result.events;
        if (!result.has_events) {
            checker::RunSpec full = spec;
            full.level = TraceLevel::kFull;
            checker::RunReport again;
            if (opt.inline_run) {
                again = checker::make_report(checker::run_spec(scenario, full), true);
            } else if (auto child = checker::run_spec_in_child(scenario, full, false, limits); child.end == checker::ChildEnd::kOk) {
                again = std::move(child.report);
            }
            if (again.trace_hash == result.trace_hash) events = std::move(again.events);
        }
        explained = reports::explain_choices(events);
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
        nlohmann::ordered_json out{{"scenario", scenario.name},
                                   {"seed", spec.seed},
                                   {"policy", spec.policy},
                                   {"python", python_version_name(spec.python)},
                                   {"params", spec.params},
                                   {"outcome", result.outcome},
                                   {"message", result.message},
                                   {"steps", result.steps},
                                   {"vtime_ns", result.vtime},
                                   {"trace_hash", hash},
                                   {"choices", result.choices.size()}};
        if (result.outcome != "pass") {
            out["signature"] = checker::failure_signature(result.outcome, result.message);
            out["reproduce"] = checker::repro_command(spec);
            if (const std::string hint = checker::failure_hint(result.outcome, result.message); !hint.empty()) out["hint"] = hint;
            if (!explained.empty()) out["non_fifo_choices"] = explained;
        }
        if (run_id != 0) out["run_id"] = run_id;
        // Messages hold scenario text: invalid UTF-8 is replaced rather than thrown on.
        std::cout << out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    } else {
        // With --trace, stdout is exactly the trace (the conformance suite diffs it).
        std::ostream& os = opt.trace.empty() ? std::cout : std::cerr;
        const bool colour = colour_on(opt.trace.empty() ? STDOUT_FILENO : STDERR_FILENO);
        const bool passed = result.outcome == "pass";
        os << paint(result.outcome, passed ? "32" : "1;31", colour) << " " << scenario.name << " seed=" << spec.seed << " policy=" << spec.policy;
        if (spec.python != PythonVersion::k3_12) os << " python=" << python_version_name(spec.python);
        os << " steps=" << result.steps << " vtime_ns=" << result.vtime << " hash=" << hash;
        if (run_id != 0) os << " run_id=" << run_id;
        if (!result.message.empty()) os << "\n  " << terminal_message(result.message, "  ");
        os << "\n";
        if (!passed) {
            os << "  reproduce: " << paint(checker::repro_command(spec), "1", colour) << "\n";
            if (const std::string hint = checker::failure_hint(result.outcome, result.message); !hint.empty()) os << "  " << hint << "\n";
            if (!explained.empty()) {
                os << "  non-FIFO choices (" << explained.size() << "):\n";
                for (const std::string& c : explained) os << "    " << terminal_text(c) << "\n";
            }
        }
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
    sub->add_option("--python", opt->python, "CPython version whose asyncio differences to reproduce: 3.11, 3.12 (default) or 3.13");
    sub->add_option("--param", opt->params, "Set a parameter: --param key=value (repeatable)");
    sub->add_flag("--trace{summary}", opt->trace, "Print the trace: --trace (conformance view) or --trace=full");
    sub->add_option("--db", opt->db, "Store the run (with its events) in this SQLite file");
    sub->add_option("--choices", opt->choices, "Force a choice sequence (comma-separated), as replay does");
    sub->add_option("--max-steps", opt->max_steps, "Livelock budget in loop callbacks");
    sub->add_option("--timeout", opt->timeout, "Wall-clock limit of the run (default 60s): outcome hang");
    sub->add_option("--max-memory", opt->max_memory, "Address-space limit of the run, e.g. 512M: outcome oom");
    sub->add_flag("--json", opt->json, "Print the verdict as one JSON object");
    sub->add_flag("--inline", opt->inline_run, "Run in this process (no child), so a debugger's breakpoints fire");
    return {sub, [opt] { return run_run(*opt); }};
}

}  // namespace corosim::cli
