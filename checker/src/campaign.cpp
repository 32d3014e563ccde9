#include "corosim/checker/campaign.hpp"

#include <algorithm>

#include "corosim/checker/isolation.hpp"
#include "corosim/checker/shrink.hpp"
#include "corosim/checker/signature.hpp"
#include "corosim/checker/wire.hpp"
#include "corosim/scheduler/policies.hpp"

namespace corosim::checker {

namespace {
// One parameter of run `seed`, from a stream of its own (seeded by the run's seed and the
// parameter's name), so parameters with the same range are independent. Edges come often
// (min, max and their neighbours a quarter of the time, small values another eighth), the rest
// is uniform over the whole range from the first run on: a bug that needs one parameter below
// another is half the space, and one at an edge shows up within a few runs.
std::int64_t draw_param(const scenarios::ParamSpec& p, std::uint64_t seed) {
    std::uint64_t mix = 0xcbf29ce484222325ULL;  // FNV-1a of the name, then the seed
    for (const char c : p.name) mix = (mix ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    mix ^= seed;
    Rng rng(Rng::splitmix64(mix));
    const auto span = static_cast<std::uint64_t>(p.max) - static_cast<std::uint64_t>(p.min);  // max - min
    const auto at = [&](std::uint64_t offset) { return static_cast<std::int64_t>(static_cast<std::uint64_t>(p.min) + offset); };
    switch (rng.below(16)) {
        case 0: return p.min;
        case 1: return p.max;
        case 2: return at(std::min<std::uint64_t>(1, span));
        case 3: return at(span - std::min<std::uint64_t>(1, span));
        case 4:
        case 5: return at(rng.below(std::min<std::uint64_t>(span, 7) + 1));
        default: return span == UINT64_MAX ? static_cast<std::int64_t>(rng.next()) : at(rng.below(span + 1));
    }
}

// Parameters for run `index`: run 0 uses the defaults (with the rotation's first policy, fifo,
// the conformance configuration); every later run draws each parameter independently. (Giving
// each policy one run at the defaults cost a six-policy rotation its first six runs on a bug
// that needs other parameters: docs/exploration.md.)
scenarios::Params draw_params(const scenarios::Scenario& scenario, std::uint64_t seed, std::uint64_t index,
                              std::uint64_t policies) {
    scenarios::Params params = scenario.defaults();
    (void)policies;
    if (index == 0) return params;
    for (const auto& spec : scenario.params) params[spec.name] = draw_param(spec, seed);
    return params;
}

// What tells two runs' schedules apart: their parameters and choices (the seed and policy only
// matter through them).
std::uint64_t schedule_hash(const RunSpec& spec, const std::vector<std::uint32_t>& choices) {
    std::uint64_t h = 0x9E3779B97F4A7C15ULL;
    const auto mix = [&](std::uint64_t v) {
        h ^= v;
        h = Rng::splitmix64(h);
    };
    for (const auto& [name, value] : spec.params) {
        for (const char c : name) mix(static_cast<unsigned char>(c));
        mix(static_cast<std::uint64_t>(value));
    }
    mix(choices.size());
    for (const std::uint32_t c : choices) mix(c);
    return h;
}

constexpr std::uint64_t kPilotRuns = 4;  // runs that learn a scenario's PCT horizon

bool wants_horizon(const std::vector<std::string>& policies) {
    return std::any_of(policies.begin(), policies.end(), [](const std::string& p) {
        const sched::PolicySpec s = sched::parse_policy(p);
        return s.kind == sched::PolicySpec::Kind::kPct && s.horizon == 0;
    });
}

// PCT spreads its change points over the choice points a run is expected to have; like Shuttle's
// PctScheduler, learn that from runs of the same scenario. The pilot runs are fixed by the
// campaign's seed (not by which results came back first), so shards, --jobs and --resume all
// learn the same horizon.
std::uint64_t learn_horizon(const scenarios::Scenario& scenario, const CampaignOptions& options) {
    // Bounded like any run: a pilot that hangs or runs out of memory leaves the default horizon.
    ChildLimits limits;
    limits.timeout = options.run_timeout;
    limits.max_memory_mb = options.max_memory_mb;
    const ChildResult counted = run_child(
        [&] {
            std::uint64_t most = 0;
            for (std::uint64_t i = 0; i < kPilotRuns; ++i) {
                RunSpec spec = campaign_spec(scenario, options, options.policies.size() + i);
                spec.policy = "random";
                spec.level = TraceLevel::kOff;
                most = std::max<std::uint64_t>(most, run_spec(scenario, spec).choices.size());
            }
            return std::to_string(most);
        },
        limits);
    if (counted.end != ChildEnd::kOk) return sched::kDefaultPctHorizon;
    return std::max<std::uint64_t>(1, std::stoull(counted.bytes));
}

constexpr std::uint64_t kRound = 2048;  // runs per scenario per round (one store transaction)

std::optional<ShrinkResult> shrink_isolated(const scenarios::Scenario& scenario, const RunSpec& spec,
                                            const CampaignOptions& options) {
    ChildLimits limits;
    limits.timeout = options.run_timeout * 10;
    limits.max_memory_mb = options.max_memory_mb;
    // A pinned parameter's range is its one value here, so no shrink pass moves it.
    scenarios::Scenario pinned = scenario;
    for (auto& p : pinned.params) {
        if (const auto v = options.pinned.find(p.name); v != options.pinned.end()) p.min = p.max = p.def = v->second;
    }
    const ChildResult child = run_child(
        [&] {
            const ShrinkResult r = shrink(pinned, spec, options.shrink_budget);
            std::string out;
            encode_spec(r.spec, out);
            encode_report(r.report, out);
            return out;
        },
        limits);
    if (child.end != ChildEnd::kOk) return std::nullopt;
    std::size_t pos = 0;
    ShrinkResult r;
    r.spec = decode_spec(child.bytes, pos);
    r.report = decode_report(child.bytes, pos);
    return r;
}
}  // namespace

bool HashSet::insert(std::uint64_t h) {
    constexpr std::uint64_t kZero = 0x9E3779B97F4A7C15ULL;  // where a hash of 0 goes
    if (h == 0) h = kZero;
    if (2 * (size_ + 1) > slots_.size()) {  // at most half full
        std::vector<std::uint64_t> old(std::max<std::size_t>(64, 2 * slots_.size()), 0);
        old.swap(slots_);
        size_ = 0;
        for (const std::uint64_t v : old)
            if (v != 0) insert(v);
    }
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = Rng::splitmix64(h) & mask;; i = (i + 1) & mask) {
        if (slots_[i] == h) return false;
        if (slots_[i] == 0) {
            slots_[i] = h;
            ++size_;
            return true;
        }
    }
}

RunSpec campaign_spec(const scenarios::Scenario& scenario, const CampaignOptions& options, std::uint64_t index) {
    RunSpec spec;
    spec.scenario = scenario.name;
    spec.seed = options.seed_base + index;
    spec.python = options.python;
    spec.policy = scenario.fifo_only ? "fifo" : options.policies[index % options.policies.size()];
    spec.params =
        scenario.fifo_only ? scenario.defaults() : draw_params(scenario, spec.seed, index, options.policies.size());
    // After the draw, so the other parameters are drawn as without the pin.
    for (auto& [name, value] : spec.params) {
        if (const auto v = options.pinned.find(name); v != options.pinned.end()) value = v->second;
    }
    spec.level = options.record_all ? TraceLevel::kFull : TraceLevel::kOff;
    if (const auto h = options.pct_horizons.find(scenario.name); h != options.pct_horizons.end()) {
        sched::PolicySpec ps = sched::parse_policy(spec.policy);
        if (ps.kind == sched::PolicySpec::Kind::kPct && ps.horizon == 0) {
            ps.horizon = h->second;
            spec.policy = ps.str();
        }
    }
    return spec;
}

namespace {
// The store side of a campaign: at most one write transaction, opened by the first run after a
// commit and committed together with the campaign's progress once a second, every
// `commit_runs` runs, and before any fork. A kill loses at most the last second.
class Committer {
public:
    Committer(Store& store, std::int64_t campaign, const CampaignOptions& options)
        : store_(store), campaign_(campaign), options_(options), last_(Clock::now()) {}
    void open() {
        if (!store_.in_transaction()) store_.begin();
    }
    void ran(const CampaignProgress& at) {
        ++since_;
        if (since_ >= options_.commit_runs || Clock::now() - last_ >= options_.commit_every) flush(at);
    }
    void flush(const CampaignProgress& at) {
        if (!store_.in_transaction()) return;
        store_.save_progress(campaign_, progress_json(at));
        store_.commit();
        since_ = 0;
        last_ = Clock::now();
    }
    void save(const CampaignProgress& at) {
        open();
        flush(at);
    }

private:
    using Clock = std::chrono::steady_clock;
    Store& store_;
    std::int64_t campaign_;
    const CampaignOptions& options_;
    Clock::time_point last_;
    std::uint64_t since_ = 0;
};

struct ToShrink {
    const scenarios::Scenario* scenario;
    RunSpec spec;
    std::size_t failure;  // index in CampaignResult::failures
};

bool shrinkable(const std::string& outcome) { return outcome != "crash" && outcome != "hang" && outcome != "oom"; }

// Failures stored by the earlier part of a resumed campaign, first occurrence of each kind
// first, with their shrunk runs; the ones not shrunk yet are queued.
void reload_failures(Store& store, const CampaignOptions& options, CampaignResult& result,
                     std::vector<ToShrink>& to_shrink) {
    std::vector<std::pair<std::int64_t, std::int64_t>> shrunk;  // (parent, id)
    std::vector<StoredRun> originals;
    for (auto& run : store.failures(result.campaign_id)) {
        if (run.parent != 0) {
            shrunk.emplace_back(run.parent, run.id);
        } else {
            originals.push_back(std::move(run));
        }
    }
    for (auto& run : originals) {
        const std::string signature = failure_signature(run.outcome, run.message);
        auto same = std::find_if(result.failures.begin(), result.failures.end(), [&](const CampaignFailure& f) {
            return f.scenario == run.spec.scenario && f.signature == signature;
        });
        if (same != result.failures.end()) {
            ++same->occurrences;
            continue;
        }
        CampaignFailure f{run.id, run.spec.scenario, run.outcome, run.message, 0, non_default_choices(run.spec.choices), 0, 1,
                          signature};
        for (const auto& [parent, id] : shrunk)
            if (parent == run.id) f.shrunk_id = id;
        const auto scenario = std::find_if(options.scenarios.begin(), options.scenarios.end(),
                                           [&](const scenarios::Scenario* s) { return s->name == run.spec.scenario; });
        if (f.shrunk_id == 0 && scenario != options.scenarios.end() && !(*scenario)->fifo_only && shrinkable(run.outcome)) {
            RunSpec spec = run.spec;
            spec.choices.clear();  // the policy draws them again from the seed
            spec.level = options.record_all ? TraceLevel::kFull : TraceLevel::kOff;
            to_shrink.push_back({*scenario, std::move(spec), result.failures.size()});
        }
        result.failures.push_back(std::move(f));
    }
}

// The options with a learned PCT horizon for every scenario that needs one. Learned before the
// campaign opens a write transaction (the pilots run in a child process).
CampaignOptions with_horizons(const CampaignOptions& given) {
    CampaignOptions options = given;
    if (wants_horizon(options.policies)) {
        for (const scenarios::Scenario* s : options.scenarios) {
            if (!s->fifo_only && !options.pct_horizons.contains(s->name)) {
                options.pct_horizons[s->name] = learn_horizon(*s, options);
            }
        }
    }
    return options;
}

CampaignResult continue_campaign(Store& store, CampaignResult result, const CampaignOptions& options,
                                 CampaignProgress at, std::vector<ToShrink> to_shrink, const Progress& progress) {
    const auto session_start = std::chrono::steady_clock::now();
    const std::int64_t elapsed_before = at.elapsed_ms;
    const auto elapsed = [&] {
        return elapsed_before + std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - session_start)
                                    .count();
    };
    const auto stopped = [&] {
        if (!result.interrupted && options.stop && options.stop()) result.interrupted = true;
        return result.interrupted;
    };
    const auto in_time = [&] {
        return !stopped() && (!options.time_budget || elapsed() < options.time_budget->count());
    };
    const auto scenario_stopped = [&](const std::string& scenario) {
        if (!options.stop_at_first_failure) return false;
        const auto it = result.stats.find(scenario);
        return it != result.stats.end() && it->second.first_failure != 0;
    };
    const auto all_stopped = [&] {
        return std::all_of(options.scenarios.begin(), options.scenarios.end(),
                           [&](const scenarios::Scenario* s) { return scenario_stopped(s->name); });
    };
    const auto planned_runs = [&](const scenarios::Scenario* s) -> std::uint64_t {
        // A conformance twin has one schedule worth running (Scenario::fifo_only).
        return s->fifo_only ? 1 : options.runs;
    };
    std::uint64_t planned = 0;
    if (!options.time_budget) {
        for (const auto* s : options.scenarios) {
            const std::uint64_t n = planned_runs(s);
            planned += n / options.shard_count + (n % options.shard_count > options.shard_index ? 1 : 0);
        }
    }
    Committer committer(store, result.campaign_id, options);
    IsolationOptions iso;
    iso.jobs = options.jobs;
    iso.run_timeout = options.run_timeout;
    iso.max_memory_mb = options.max_memory_mb;
    iso.before_fork = [&] { committer.flush(at); };
    // One pool for the whole campaign: its workers are forked once, not once per round.
    WorkerPool pool(options.scenarios, iso);
    const auto shrink_queued = [&] {
        // Each in a child process: a candidate may crash too. Left for a resume when stopped.
        for (const auto& item : to_shrink) {
            if (stopped()) return;
            CampaignFailure& failure = result.failures[item.failure];
            const auto shrunk = shrink_isolated(*item.scenario, item.spec, options);
            if (!shrunk || shrunk->report.outcome == "pass") continue;
            committer.open();
            failure.shrunk_id = store.add_report(result.campaign_id, shrunk->spec, shrunk->report, failure.run_id);
            committer.flush(at);
            failure.choices_after = non_default_choices(shrunk->report.choices);
        }
        to_shrink.clear();
    };
    if (options.shrink) shrink_queued();

    // One run's result into the store, the stats and the failures; `index` is its 1-based run
    // index in its scenario (0: a regression run, outside the seed space).
    const auto record = [&](const WorkItem& item, std::uint64_t index, RunReport&& rep) {
        ScenarioStats& stats = result.stats[item.spec.scenario];
        ++stats.runs;
        stats.schedules.insert(schedule_hash(item.spec, rep.choices));
        if (rep.outcome != "pass" && stats.first_failure == 0 && index != 0) stats.first_failure = index;
        committer.open();
        const bool keep = rep.outcome != "pass" || options.store_passing;
        const std::int64_t id = keep ? store.add_report(result.campaign_id, item.spec, rep) : 0;
        ++result.runs;
        if (rep.outcome != "pass") {
            ++result.failing_runs;
            const std::string signature = failure_signature(rep.outcome, rep.message);
            auto same = std::find_if(result.failures.begin(), result.failures.end(), [&](const CampaignFailure& f) {
                return f.scenario == item.spec.scenario && f.signature == signature;
            });
            if (same != result.failures.end()) {
                ++same->occurrences;
            } else {
                // A regression run is already the shrunk run of an earlier campaign.
                if (index != 0 && shrinkable(rep.outcome) && !item.scenario->fifo_only) {
                    to_shrink.push_back({item.scenario, item.spec, result.failures.size()});
                }
                result.failures.push_back({id, item.spec.scenario, rep.outcome, rep.message, 0,
                                           non_default_choices(rep.choices), 0, 1, signature});
            }
        }
        at.runs = result.runs;
        at.failing_runs = result.failing_runs;
        at.elapsed_ms = elapsed();
        committer.ran(at);
        if (progress) progress(result.runs, planned, result.failing_runs);
    };

    // The regression corpus first, before any seed: a bug that comes back fails at once.
    // A campaign stopped among them (killed, or SIGINT) goes on from the first one not stored.
    if (at.round == 0 && at.item == 0 && at.regressions < options.regressions.size()) {
        const std::size_t first = static_cast<std::size_t>(at.regressions);
        std::vector<WorkItem> regressions;
        std::vector<std::size_t> positions;  // each one's index in options.regressions
        for (std::size_t r = first; r < options.regressions.size(); ++r) {
            const RunSpec& spec = options.regressions[r];
            const auto s = std::find_if(options.scenarios.begin(), options.scenarios.end(),
                                        [&](const scenarios::Scenario* sc) { return sc->name == spec.scenario; });
            if (s == options.scenarios.end()) continue;
            WorkItem item;
            item.scenario = *s;
            item.spec = spec;
            item.spec.level = options.record_all ? TraceLevel::kFull : TraceLevel::kOff;
            item.keep_events = options.record_all;
            regressions.push_back(std::move(item));
            positions.push_back(r);
        }
        planned += regressions.size();
        pool.run(
            regressions,
            [&](std::size_t i, RunReport&& rep) {
                at.regressions = positions[i] + 1;  // results come back in order
                record(regressions[i], 0, std::move(rep));
            },
            [&] { return !stopped(); });
        committer.save(at);
    }

    bool exhausted = false;
    // Reused from round to round: a fresh work list each round cost its page faults again.
    std::vector<WorkItem> items;
    std::vector<std::uint64_t> indices;  // each item's run index in its scenario
    while (in_time()) {
        items.clear();
        indices.clear();
        for (const scenarios::Scenario* s : options.scenarios) {
            if (scenario_stopped(s->name)) continue;
            const std::uint64_t n = planned_runs(s);
            for (std::uint64_t i = at.round * kRound; i < std::min(n, (at.round + 1) * kRound); ++i) {
                if (i % options.shard_count != options.shard_index) continue;
                WorkItem item;
                item.scenario = s;
                item.spec = campaign_spec(*s, options, i);
                item.keep_events = options.record_all;
                item.check_determinism = options.determinism_every != 0 && i % options.determinism_every == 0;
                items.push_back(std::move(item));
                indices.push_back(i);
            }
        }
        if (items.empty()) {
            exhausted = true;
            break;
        }
        // A resumed round skips the prefix already stored.
        const std::uint64_t skip = std::min<std::uint64_t>(at.item, items.size());
        items.erase(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(skip));
        indices.erase(indices.begin(), indices.begin() + static_cast<std::ptrdiff_t>(skip));
        pool.run(
            items,
            [&](std::size_t i, RunReport&& rep) {
                at.item = skip + i + 1;
                // Dispatched before the scenario's first failure came back: dropped, not stored.
                if (scenario_stopped(items[i].spec.scenario)) return;
                record(items[i], indices[i] + 1, std::move(rep));
            },
            [&] { return in_time() && !all_stopped(); });
        if (at.item >= skip + items.size()) {
            ++at.round;
            at.item = 0;
        }
        at.elapsed_ms = elapsed();
        committer.save(at);
        if (options.shrink) shrink_queued();
    }
    at.elapsed_ms = elapsed();
    // Out of runs or out of time is the end; a stop (a signal) leaves it resumable.
    at.done = !result.interrupted && (exhausted || options.time_budget.has_value());
    committer.save(at);
    return result;
}
}  // namespace

CampaignResult run_campaign(Store& store, const std::string& command, const CampaignOptions& options,
                            const Progress& progress) {
    CampaignResult result;
    result.campaign_id = store.begin_campaign(command, campaign_options_json(options));
    return continue_campaign(store, std::move(result), with_horizons(options), {}, {}, progress);
}

CampaignResult resume_campaign(Store& store, std::int64_t id, const CampaignOptions& options,
                               const CampaignProgress& from, const Progress& progress) {
    CampaignResult result;
    result.campaign_id = id;
    result.runs = from.runs;
    result.failing_runs = from.failing_runs;
    std::vector<ToShrink> to_shrink;
    reload_failures(store, options, result, to_shrink);
    if (!options.shrink) to_shrink.clear();
    return continue_campaign(store, std::move(result), with_horizons(options), from, std::move(to_shrink), progress);
}

}  // namespace corosim::checker
