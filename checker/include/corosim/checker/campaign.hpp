// campaign.hpp: the fuzz driver (DESIGN 5, issue 6). Run i of a scenario has seed
// `seed_base + i`, the policy `policies[i % k]` and parameters drawn by RapidCheck from its
// seed, so the campaign's seed space is fixed; `--shard I/N` takes the runs with i % N == I, and
// shards merged equal the whole campaign. Runs execute in worker processes (isolation.hpp);
// failures are stored with their events, shrunk, and the minimal run stored and linked.
// Runs are committed with the campaign's progress at least every second, so a killed campaign
// keeps everything but its last second and `fuzz --resume` continues it where it stopped.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "corosim/checker/store.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::checker {

/// What a campaign explores and how.
struct CampaignOptions {
    std::vector<const scenarios::Scenario*> scenarios;  ///< what to fuzz (registry entries)
    std::uint64_t runs = 100;  ///< per scenario (before sharding); with a time budget, an upper bound
    std::optional<std::chrono::milliseconds> time_budget;  ///< stop dispatching after this
    std::uint64_t seed_base = 1;  ///< run i of a scenario gets seed seed_base + i
    /// The rotation: run i uses policies[i % size]. FIFO first (the conformance configuration),
    /// then uniform random, PCT at two depths, and random with timer jitter and fault points
    /// (docs/exploration.md measures it against each policy alone).
    std::vector<std::string> policies = {"fifo", "random", "pct:2", "random+jitter+buggify", "random", "pct:3"};
    bool record_all = false;             ///< store events of passing runs too
    bool store_passing = true;           ///< store the rows of passing runs (`--record none`: no)
    std::uint32_t shard_index = 0;       ///< this shard
    std::uint32_t shard_count = 1;       ///< of this many
    unsigned jobs = 1;                   ///< worker processes
    std::uint32_t determinism_every = 64;  ///< re-run every N-th passing run (0: never)
    bool shrink = true;                  ///< shrink the first failure of each signature
    std::size_t shrink_budget = 400;     ///< candidate runs per failure
    std::chrono::milliseconds run_timeout{20'000};  ///< wall clock per run: outcome "hang" after it
    std::uint64_t max_memory_mb = 0;     ///< address-space limit per run (0: none): outcome "oom"
    std::chrono::milliseconds commit_every{1'000};  ///< commit at least this often
    std::uint64_t commit_runs = 2'048;   ///< ... and at least every this many runs
    /// Asked before each dispatch: true stops the campaign after the runs in flight (a signal).
    /// Not part of the campaign's stored options.
    std::function<bool()> stop;
    /// Expected choice points per run, by scenario, for `pct:D` without a horizon; filled by
    /// run_campaign from pilot runs when missing.
    std::map<std::string, std::uint64_t> pct_horizons;
    /// Stop a scenario at its first failure (the others go on).
    bool stop_at_first_failure = false;
    /// The CPython version every run reproduces (RunSpec::python); stored with the options.
    PythonVersion python = PythonVersion::k3_12;
    /// Parameters every run of a scenario that declares them takes (`fuzz --param k=v`), by name:
    /// drawn runs and shrinking keep them; a scenario without the parameter runs as without the
    /// pin. Stored with the options, so `--resume` keeps them.
    scenarios::Params pinned;
    /// Runs made before the campaign's first seed, stored and reported like its own runs: the
    /// regression corpus (corpus.hpp) of its scenarios; a shard runs those given (the caller
    /// splits them, corpus_shard()). Not part of the stored options: a resumed campaign does not
    /// repeat them.
    std::vector<RunSpec> regressions;
};

/// How far a campaign got: rounds of up to 2,048 runs per scenario, and the runs of round
/// `round` already stored (its work list is rebuilt from the options on resume).
struct CampaignProgress {
    std::uint64_t round = 0;         ///< the round in progress (0-based)
    std::uint64_t item = 0;          ///< runs of `round` done (a prefix of its work list)
    std::uint64_t runs = 0;          ///< runs done in all
    std::uint64_t regressions = 0;   ///< regression runs done (a prefix of CampaignOptions::regressions)
    std::uint64_t failing_runs = 0;  ///< of which failed
    std::int64_t elapsed_ms = 0;     ///< spent on the time budget
    bool done = false;               ///< ran out of runs or time (not interrupted)
};

/// The options as stored in the campaign row (everything that decides which runs it makes).
std::string campaign_options_json(const CampaignOptions& options);
/// Parses campaign_options_json's output, resolving scenario names in `registry`; throws
/// std::invalid_argument naming what is missing or malformed.
CampaignOptions parse_campaign_options(const std::string& json, const scenarios::Registry& registry);
/// The progress as stored in the campaign row, and back (std::invalid_argument when malformed).
std::string progress_json(const CampaignProgress& progress);
CampaignProgress parse_progress(const std::string& json);

/// One failure found by a campaign (and its shrunk version).
struct CampaignFailure {
    std::int64_t run_id = 0;             ///< the stored original run
    std::string scenario;                ///< its scenario's name
    std::string outcome;                 ///< fail, error, deadlock, livelock, crash, hang or oom
    std::string message;                 ///< the original's message
    std::int64_t shrunk_id = 0;          ///< 0 when not shrunk
    std::size_t choices_before = 0;      ///< non-default choices of the original
    std::size_t choices_after = 0;       ///< ... and of the shrunk run
    std::uint64_t occurrences = 1;       ///< failing runs with the same scenario and signature
    std::string signature;               ///< failure_signature(outcome, message) (signature.hpp)
};

/// A set of 64-bit hashes that only counts them: open addressing in one flat array, because a
/// campaign inserts one per run (a node-based set was a third of the fuzzer's own CPU time on
/// tiny scenarios, issue 15).
class HashSet {
public:
    /// Adds `h`; false if it was there.
    bool insert(std::uint64_t h);
    /// How many distinct hashes were inserted.
    std::size_t size() const { return size_; }

private:
    std::vector<std::uint64_t> slots_;  // 0: empty (a hash of 0 is stored as kZero)
    std::size_t size_ = 0;
};

/// What a campaign did with one scenario.
struct ScenarioStats {
    std::uint64_t runs = 0;                ///< runs made
    std::uint64_t first_failure = 0;       ///< 1-based run index of its first failure, 0 if none
    HashSet schedules;                     ///< distinct (params, choices) explored, hashed
};

/// What a campaign did.
struct CampaignResult {
    std::int64_t campaign_id = 0;  ///< its row in the store
    std::uint64_t runs = 0;        ///< runs made, all scenarios
    /// Distinct failures (scenario and failure signature), first occurrence first; every
    /// failing run is in the store, the first of each signature is shrunk.
    std::vector<CampaignFailure> failures;
    std::uint64_t failing_runs = 0;  ///< every failing run, repeats of a signature included
    bool interrupted = false;  ///< options.stop() said so; resumable from the stored progress
    std::map<std::string, ScenarioStats> stats;  ///< by scenario name
};

/// The spec of run `index` of `scenario` in a campaign with these options.
RunSpec campaign_spec(const scenarios::Scenario& scenario, const CampaignOptions& options, std::uint64_t index);

/// Progress: runs done, runs planned (0 when bounded by time only), failures so far.
using Progress = std::function<void(std::uint64_t, std::uint64_t, std::uint64_t)>;

/// Runs the campaign into `store`.
CampaignResult run_campaign(Store& store, const std::string& command, const CampaignOptions& options,
                            const Progress& progress = {});

/// Continues campaign `id` of `store` from `from` (its stored progress), with `options` parsed
/// from its stored options: the runs it makes are exactly those the uninterrupted campaign
/// would have made after `from`. Failures stored before are reported again, and shrunk if
/// they were not yet.
CampaignResult resume_campaign(Store& store, std::int64_t id, const CampaignOptions& options,
                               const CampaignProgress& from, const Progress& progress = {});

}  // namespace corosim::checker
