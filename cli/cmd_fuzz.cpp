#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <csignal>
#include <filesystem>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>

#include "commands.hpp"
#include "corosim/checker/campaign.hpp"
#include "corosim/checker/corpus.hpp"
#include "corosim/checker/hint.hpp"
#include "corosim/checker/replay.hpp"
#include "corosim/checker/repro.hpp"
#include "corosim/reports/junit.hpp"
#include "corosim/reports/text.hpp"
#include "corosim/scheduler/policies.hpp"

namespace corosim::cli {

namespace {
struct FuzzOptions {
    bool all = false;
    bool include_planted = false;
    std::vector<std::string> scenarios;
    std::string runs;
    std::string time;
    std::string seed = "1";
    std::string db = "corosim.db";
    std::string record = "failures";
    std::vector<std::string> policies;
    std::string shard;
    std::string jobs_text = "1";
    unsigned jobs = 1;
    std::string junit;
    bool no_shrink = false;
    std::string timeout;
    std::string max_memory;
    std::string resume;       // a campaign id, or "" for the newest
    bool resuming = false;
    std::vector<std::string> shaping;  // campaign-shaping options given (refused with --resume)
    bool stop_at_first_failure = false;
    std::string corpus;  // the regression corpus directory, "" for none
    std::string python = "3.12";
    std::vector<std::string> params;  // --param k=v: pinned for every run
};

// SIGINT/SIGTERM: the first stops the campaign after the runs in flight (it commits and says how
// to resume); a second one is not waited for.
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_stop_signal(int sig) {
    if (g_signal != 0) {
        ::signal(sig, SIG_DFL);
        ::raise(sig);
        return;
    }
    g_signal = sig;
}

void install_stop_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: poll() in the dispatcher returns at once
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

// Progress on stderr: an updating bar on a terminal, a plain line every few seconds otherwise.
class ProgressView {
public:
    ProgressView() : tty_(isatty(STDERR_FILENO) != 0), start_(Clock::now()), last_(start_) {}
    double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
    void update(std::uint64_t done, std::uint64_t total, std::uint64_t failures, bool final = false) {
        const auto now = Clock::now();
        if (!final && now - last_ < (tty_ ? std::chrono::milliseconds(100) : std::chrono::seconds(5))) return;
        last_ = now;
        const double secs = std::chrono::duration<double>(now - start_).count();
        const double rate = secs > 0 ? static_cast<double>(done) / secs : 0.0;
        char line[200];
        if (total > 0) {
            const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0.0;
            const int width = 30;
            const int filled = static_cast<int>(static_cast<double>(width) * static_cast<double>(done) / static_cast<double>(total));
            std::string bar = tty_ ? "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] " : "";
            std::snprintf(line, sizeof line, "fuzz: %s%llu/%llu runs, %s, %.0f runs/s, ETA %.0fs", bar.c_str(),
                          static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                          reports::counted(failures, "failure").c_str(), rate, eta);
        } else {
            std::snprintf(line, sizeof line, "fuzz: %s, %s, %.0f runs/s, %.0fs elapsed", reports::counted(done, "run").c_str(),
                          reports::counted(failures, "failure").c_str(), rate, secs);
        }
        if (tty_) {
            std::cerr << "\r" << line << "\x1b[K" << (final ? "\n" : "") << std::flush;
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

// `--param k=v`, checked by each scenario that declares k (a flag takes true/false). A scenario
// named with --scenario must declare it; under --all a pin applies to the scenarios that
// declare it and at least one must.
scenarios::Params pinned_params(const FuzzOptions& opt, const std::vector<const scenarios::Scenario*>& fuzzed) {
    scenarios::Params pinned;
    for (const std::string& assignment : opt.params) {
        const std::string key = assignment.substr(0, assignment.find('='));
        if (key.size() == assignment.size()) throw UsageError("parameter '" + assignment + "' is not key=value");
        bool declared = false;
        for (const scenarios::Scenario* s : fuzzed) {
            const bool has = std::any_of(s->params.begin(), s->params.end(), [&](const auto& p) { return p.name == key; });
            const bool named = std::find(opt.scenarios.begin(), opt.scenarios.end(), s->name) != opt.scenarios.end();
            if (!has && !named) continue;
            scenarios::Params values;
            try {
                s->apply(values, assignment);  // names the scenario's parameters when it has no `key`
            } catch (const std::invalid_argument& e) {
                throw UsageError(e.what());
            }
            pinned[key] = values.at(key);
            declared = true;
        }
        if (!declared) throw UsageError("no fuzzed scenario has parameter '" + key + "' (--param " + assignment + ")");
    }
    return pinned;
}

checker::CampaignOptions campaign_options(const FuzzOptions& opt) {
    checker::CampaignOptions copt;
    copt.seed_base = parse_u64("--seed", opt.seed);
    if (opt.record != "none" && opt.record != "failures" && opt.record != "all") {
        throw UsageError("--record takes 'none', 'failures' or 'all', got '" + opt.record + "'");
    }
    copt.record_all = opt.record == "all";
    copt.store_passing = opt.record != "none";
    if (!opt.time.empty()) copt.time_budget = parse_duration("--time", opt.time);
    if (!opt.timeout.empty()) copt.run_timeout = parse_duration("--timeout", opt.timeout);
    if (!opt.max_memory.empty()) copt.max_memory_mb = parse_megabytes("--max-memory", opt.max_memory);
    copt.runs = !opt.runs.empty() ? parse_u64("--runs", opt.runs, 1) : (copt.time_budget ? UINT64_MAX / 2 : 100);
    if (!opt.shard.empty()) std::tie(copt.shard_index, copt.shard_count) = parse_shard(opt.shard);
    copt.shrink = !opt.no_shrink;
    copt.stop_at_first_failure = opt.stop_at_first_failure;
    copt.python = parse_python(opt.python);
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
        for (const auto& [name, s] : scenarios::all_scenarios().all()) {
            if (!s.planted || opt.include_planted) copt.scenarios.push_back(&s);
        }
    }
    for (const auto& name : opt.scenarios) copt.scenarios.push_back(&find_scenario(name));
    if (copt.scenarios.empty()) throw UsageError("nothing to fuzz: give --all or --scenario NAME");
    copt.pinned = pinned_params(opt, copt.scenarios);
    return copt;
}

// The stored campaign `--resume` names (or the newest), its options and where it stopped.
std::tuple<std::int64_t, checker::CampaignOptions, checker::CampaignProgress> stored_campaign(checker::Store& store,
                                                                                             const FuzzOptions& opt) {
    if (!opt.shaping.empty()) {
        throw UsageError("--resume continues a campaign with its stored options; drop " + opt.shaping.front());
    }
    std::optional<checker::StoredCampaign> c;
    if (opt.resume.empty()) {
        c = store.latest_fuzz_campaign();
        if (!c) throw UsageError("no fuzz campaign to resume in '" + opt.db + "'");
    } else {
        std::int64_t id = 0;
        const auto [end, ec] = std::from_chars(opt.resume.data(), opt.resume.data() + opt.resume.size(), id);
        if (ec != std::errc() || end != opt.resume.data() + opt.resume.size() || id <= 0) {
            throw UsageError("--resume wants a campaign id, got '" + opt.resume + "'");
        }
        c = store.campaign(id);
        if (!c) throw UsageError("no campaign " + opt.resume + " in '" + opt.db + "'");
        if (c->options.empty()) throw UsageError("campaign " + opt.resume + " in '" + opt.db + "' is not a resumable fuzz campaign");
    }
    try {
        auto options = checker::parse_campaign_options(c->options, scenarios::all_scenarios());
        const auto progress = checker::parse_progress(c->progress);
        if (progress.done) throw UsageError("campaign " + std::to_string(c->id) + " in '" + opt.db + "' is already complete");
        return {c->id, std::move(options), progress};
    } catch (const std::invalid_argument& e) {
        throw UsageError("cannot resume campaign " + std::to_string(c->id) + " in '" + opt.db + "': " + e.what());
    }
}

std::string resume_command(const FuzzOptions& opt, std::int64_t campaign) {
    std::string cmd = checker::shell_quote(checker::program_name()) + " fuzz --db " + checker::shell_quote(opt.db) + " --resume " +
                      std::to_string(campaign);
    if (opt.jobs != 1) cmd += " --jobs " + std::to_string(opt.jobs);
    if (!opt.junit.empty()) cmd += " --junit " + checker::shell_quote(opt.junit);
    return cmd;
}

// The corpus entries of the campaign's scenarios, as its regression runs; every entry is
// validated first (a bad one is bad input), and the directory made, so a path that cannot take
// new entries is refused before the campaign rather than after it.
std::vector<checker::CorpusEntry> open_corpus(const std::string& dir) {
    std::vector<checker::CorpusEntry> entries;
    try {
        entries = checker::load_corpus(dir, scenarios::all_scenarios());
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || ::access(dir.c_str(), W_OK) != 0) throw UsageError("cannot write corpus directory '" + dir + "'");
    return entries;
}

// Each distinct failure's shrunk run (or first run) into the corpus unless it has an entry;
// returns how many were added.
std::size_t grow_corpus(checker::Store& store, const std::string& dir, const std::vector<checker::CampaignFailure>& failures) {
    std::size_t added = 0;
    for (const auto& f : failures) {
        const auto run = store.run(f.shrunk_id != 0 ? f.shrunk_id : f.run_id);
        if (!run) continue;
        checker::CorpusEntry entry;
        entry.spec = checker::replay_spec(*run);
        entry.spec.level = TraceLevel::kOff;
        entry.signature = f.signature;
        try {
            if (checker::add_to_corpus(dir, std::move(entry))) ++added;
        } catch (const std::runtime_error& e) {
            throw UsageError(e.what());
        }
    }
    return added;
}

int run_fuzz(FuzzOptions& opt) {
    const std::uint64_t jobs = parse_u64("--jobs", opt.jobs_text, 1);
    if (jobs > 256) throw UsageError("--jobs wants 1..256, got '" + opt.jobs_text + "'");
    opt.jobs = static_cast<unsigned>(jobs);
    checker::CampaignOptions copt;
    if (!opt.resuming) copt = campaign_options(opt);
    std::vector<checker::CorpusEntry> corpus;
    if (!opt.corpus.empty()) corpus = open_corpus(opt.corpus);
    // Checked before the campaign: a bad path must not cost a whole campaign.
    std::ofstream junit;
    if (!opt.junit.empty()) {
        junit.open(opt.junit);
        if (!junit) throw UsageError("cannot write JUnit report '" + opt.junit + "'");
    }

    checker::Store store(opt.db);
    std::int64_t resume_id = 0;
    checker::CampaignProgress from;
    if (opt.resuming) std::tie(resume_id, copt, from) = stored_campaign(store, opt);
    copt.jobs = opt.jobs;
    // A new campaign's regression runs are the corpus entries of its scenarios and shard; they
    // are stored with its options, so a resumed one runs those it had not stored from there.
    if (!opt.resuming) {
        for (const auto& e : corpus) {
            const bool ours = std::any_of(copt.scenarios.begin(), copt.scenarios.end(),
                                          [&](const scenarios::Scenario* s) { return s->name == e.spec.scenario; });
            if (ours && checker::corpus_shard(e, copt.shard_count) == copt.shard_index) copt.regressions.push_back(e.spec);
        }
    }
    const bool past_regressions = from.round != 0 || from.item != 0 || from.regressions >= copt.regressions.size();
    const std::size_t regressions = past_regressions ? 0 : copt.regressions.size() - from.regressions;
    if (!opt.corpus.empty()) {
        std::cerr << "fuzz: corpus " << opt.corpus << ": " << reports::counted(corpus.size(), "entry", "entries") << ", "
                  << regressions << " of this campaign's scenarios (and shard) " << (opt.resuming ? "left to re-run" : "re-run first")
                  << "\n";
    }
    install_stop_handlers();
    copt.stop = [] { return g_signal != 0; };
    ProgressView view;
    const auto on_progress = [&](std::uint64_t d, std::uint64_t t, std::uint64_t f) { view.update(d, t, f); };
    const auto result = opt.resuming ? checker::resume_campaign(store, resume_id, copt, from, on_progress)
                                     : checker::run_campaign(store, "fuzz", copt, on_progress);
    view.update(result.runs, result.runs, result.failing_runs, true);

    std::cout << "| scenario | runs stored | failures | first failure at run | distinct schedules | distinct traces | policies |\n"
                 "|---|---:|---:|---:|---:|---:|---|\n";
    for (const auto& s : store.summary(result.campaign_id)) {
        const auto st = result.stats.find(s.scenario);
        const bool known = st != result.stats.end();
        std::cout << "| " << s.scenario << " | " << s.runs << " | " << s.failures << " | "
                  << (known && st->second.first_failure != 0 ? std::to_string(st->second.first_failure) : "-") << " | "
                  << (known ? st->second.schedules.size() : 0) << " | " << s.distinct_hashes << " | " << s.policies
                  << " |\n";
    }
    std::cout << reports::counted(result.runs, "run") << ", " << result.failing_runs << " failing (" << result.failures.size()
              << " distinct), campaign " << result.campaign_id << " in " << opt.db << "\n";
    // One FAIL line per distinct failure (scenario and signature), each with the line that
    // reproduces it without the store; the shrunk run's line is the one to debug.
    const bool colour = colour_on(STDOUT_FILENO);
    for (const auto& f : result.failures) {
        std::cout << paint("FAIL", "1;31", colour) << " " << f.scenario << ": " << terminal_text(checker::failure_headline(f.outcome, f.message)) << " ("
                  << f.occurrences << (f.occurrences == 1 ? " run" : " runs") << ")\n";
        if (const auto first = store.run(f.run_id)) {
            std::cout << "  reproduce: " << paint(checker::repro_command(first->spec), "1", colour) << "\n";
        }
        std::cout << "  replay:    " << checker::replay_command(opt.db, f.run_id) << "\n";
        if (const std::string hint = checker::failure_hint(f.outcome, f.message); !hint.empty()) std::cout << "  " << hint << "\n";
        if (f.shrunk_id == 0) continue;
        if (const auto shrunk = store.run(f.shrunk_id)) {
            std::cout << "  shrunk (" << f.choices_before << " -> " << f.choices_after
                      << " non-FIFO choices): " << paint(checker::repro_command(shrunk->spec), "1", colour) << "\n";
            if (shrunk->message != f.message) {
                std::cout << "    " << checker::failure_headline(shrunk->outcome, shrunk->message) << "\n";
            }
        }
    }
    if (!opt.corpus.empty()) {
        const std::size_t added = grow_corpus(store, opt.corpus, result.failures);
        std::cout << "corpus " << opt.corpus << ": " << reports::counted(regressions, "entry", "entries") << " re-run, " << added << " added\n";
    }
    if (junit.is_open()) {
        junit << reports::junit_xml(store, opt.db, result.campaign_id, view.elapsed());
        junit.close();
        if (!junit) throw UsageError("cannot write JUnit report '" + opt.junit + "'");
    }
    if (result.interrupted) {
        const int sig = g_signal;
        std::cout << "interrupted by " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << " after "
                  << reports::counted(result.runs, "run") << " (all stored); resume with: " << resume_command(opt, result.campaign_id) << "\n";
        std::cout.flush();
        return 128 + sig;
    }
    return result.failures.empty() ? kExitOk : kExitFailures;
}
}  // namespace

Command add_fuzz(CLI::App& app) {
    auto opt = std::make_shared<FuzzOptions>();
    auto* sub = app.add_subcommand("fuzz", "Explore scenarios over seeds, policies and parameters into a store");
    sub->add_flag("--all", opt->all, "Every registered scenario (planted bugs excluded)");
    sub->add_flag("--include-planted", opt->include_planted, "With --all, include the planted-bug scenarios");
    sub->add_option("--scenario", opt->scenarios, "A scenario to fuzz (repeatable)");
    sub->add_option("--runs", opt->runs, "Runs per scenario (default 100, or unbounded with --time)");
    sub->add_option("--time", opt->time, "Time budget, e.g. 60s, 5m, 500ms");
    sub->add_option("--seed", opt->seed, "First seed of the campaign");
    sub->add_option("--db", opt->db, "SQLite store to write");
    sub->add_option("--record", opt->record,
                    "What is stored: none (failing runs only), failures (every run, events of failures), all (every run with events)");
    sub->add_option("--policies", opt->policies, "Policy rotation (default fifo,random,pct:2,random+jitter+buggify,random,pct:3)")->delimiter(',');
    sub->add_option("--shard", opt->shard, "Run shard I of N of the seed space, e.g. 0/4");
    sub->add_option("--jobs", opt->jobs_text, "Worker processes (results identical to --jobs 1)");
    sub->add_option("--junit", opt->junit, "Write a JUnit XML report here");
    sub->add_flag("--no-shrink", opt->no_shrink, "Do not shrink failures");
    sub->add_flag("--stop-at-first-failure", opt->stop_at_first_failure,
                  "Stop fuzzing a scenario at its first failure (the others go on)");
    sub->add_option("--timeout", opt->timeout, "Wall-clock limit per run, e.g. 20s (default): outcome hang");
    sub->add_option("--max-memory", opt->max_memory, "Address-space limit per run, e.g. 512M or 2G: outcome oom");
    sub->add_option("--python", opt->python,
                    "CPython version whose asyncio differences every run reproduces: 3.11, 3.12 (default) or 3.13");
    sub->add_option("--param", opt->params,
                    "Pin a parameter for every run: --param key=value (repeatable); under --all, for the scenarios that have it");
    sub->add_option("--corpus", opt->corpus,
                    "Regression corpus directory: its failures re-run before any seed, new failures added");
    auto* resume = sub->add_option("--resume", opt->resume,
                                   "Continue campaign ID of --db (default: the newest) where it stopped")
                       ->expected(0, 1);
    return {sub, [opt, sub, resume] {
                opt->resuming = resume->count() > 0;
                for (const char* name : {"--all", "--include-planted", "--scenario", "--runs", "--time", "--seed",
                                         "--record", "--policies", "--shard", "--no-shrink", "--timeout",
                                         "--max-memory", "--stop-at-first-failure", "--python", "--param"}) {
                    if (sub->count(name) > 0) opt->shaping.emplace_back(name);
                }
                return run_fuzz(*opt);
            }};
}

}  // namespace corosim::cli
