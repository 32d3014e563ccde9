// store.hpp: the SQLite trace store (DESIGN 5). Schema versioned with PRAGMA user_version, WAL
// journal, prepared statements, one transaction per batch; runs, their events (for runs that
// failed or were asked for) and violations. docs/store.md documents the schema.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "corosim/checker/runner.hpp"
#include "corosim/run.hpp"

namespace corosim::checker {

/// A store that cannot be opened, read or written; the CLI maps it to an exit code.
class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One stored event, strings resolved.
struct StoredEvent {
    std::int64_t seq = 0;     ///< position in the run's trace
    Nanos vtime = 0;          ///< virtual time when recorded
    std::uint32_t task = 0;   ///< running task id, 0 when none
    std::uint16_t kind = 0;   ///< EventKind (0 = conformance line; docs/trace.md)
    std::int64_t a = 0;       ///< first operand (see EventKind)
    std::int64_t b = 0;       ///< second operand (see EventKind)
    std::string name;         ///< the task column or task name, "" when none
    std::string text;         ///< a conformance line's text, "" when none
    /// Field by field (replay compares a rerun's events with the stored ones).
    bool operator==(const StoredEvent&) const = default;
};

/// One stored run.
struct StoredRun {
    std::int64_t id = 0;            ///< the run id that `replay`/`show` take
    std::int64_t campaign = 0;      ///< the campaign that stored it
    RunSpec spec;                   ///< what to run again to reproduce it
    std::string outcome;            ///< outcome_name(), or crash/hang/oom (the worker died)
    std::string message;            ///< why it did not pass ("" when it did)
    std::uint64_t steps = 0;        ///< callbacks run
    Nanos vtime = 0;                ///< virtual time at the end
    std::string trace_hash;         ///< 16 hex digits
    std::int64_t parent = 0;        ///< for a shrunk run, the run it was shrunk from; else 0
    std::string harness_version;    ///< the corosim build that ran it (replay reports a mismatch)
    bool has_events = false;        ///< its trace events are stored (events table)
};

/// One stored campaign: a fuzz campaign keeps its options and how far it got, so it can be
/// resumed (campaign.hpp); other campaigns (`run --db`, merged ones) leave them empty.
struct StoredCampaign {
    std::int64_t id = 0;   ///< the campaign id (`--resume` and reports take it)
    std::string command;   ///< the invocation that started it (fuzz, run, ...)
    std::string started;   ///< wall-clock start, UTC ISO 8601 (outside any run)
    std::string options;   ///< JSON (campaign_options_json), empty when not resumable
    std::string progress;  ///< JSON (progress_json), empty before the first commit
};

/// Aggregates per scenario for reports.
struct ScenarioSummary {
    std::string scenario;             ///< the scenario's name
    std::int64_t runs = 0;            ///< runs stored
    std::int64_t failures = 0;        ///< of which did not pass
    std::int64_t distinct_hashes = 0; ///< distinct trace hashes: how many schedules were reached
    std::string policies;  ///< comma-separated, sorted
};

/// The events of `trace` as they would be stored (strings resolved).
std::vector<StoredEvent> stored_events(const Trace& trace);

/// Packs a choice sequence as LEB128 varints (the `choices` blob).
std::string encode_choices(const std::vector<std::uint32_t>& choices);
/// Unpacks encode_choices' output; throws StoreError on malformed input.
std::vector<std::uint32_t> decode_choices(const std::string& blob);

/// A connection to one store file.
class Store {
public:
    /// How a store is opened.
    enum class Mode : std::uint8_t {
        kCreate,    ///< read-write, created if missing
        kWrite,     ///< read-write, must exist
        kReadOnly,  ///< read-only (works on a read-only file or mount)
    };
    /// Shorthand: `Store(path, Store::kReadOnly)`.
    static constexpr Mode kReadOnly = Mode::kReadOnly;

    /// Opens the store at `path`: an existing file must be a corosim store that passes
    /// `PRAGMA quick_check` (an empty or foreign file is refused and left untouched); a new one
    /// appears fully formed (built aside and linked into place), so concurrent creators all
    /// succeed. Waits up to 60 s for other writers. Throws StoreError with a one-line reason.
    explicit Store(const std::string& path, Mode mode = Mode::kCreate);
    /// Opens read-write, creating the file if `create`.
    Store(const std::string& path, bool create) : Store(path, create ? Mode::kCreate : Mode::kWrite) {}
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    /// Starts a campaign (one fuzz or run invocation) with its options (JSON, "" for none);
    /// returns its id.
    std::int64_t begin_campaign(const std::string& command, const std::string& options = "");
    /// Records how far campaign `id` got (inside the transaction that stores those runs).
    void save_progress(std::int64_t id, const std::string& progress);
    /// The campaign with id `id`, if any.
    std::optional<StoredCampaign> campaign(std::int64_t id);
    /// The newest campaign that stored its options (a fuzz campaign), if any.
    std::optional<StoredCampaign> latest_fuzz_campaign();
    /// Begins / commits a batch transaction.
    void begin();
    /// Commits the transaction begin() opened.
    void commit();
    /// True while a transaction begun with begin() is open.
    bool in_transaction() const;
    /// True while any store this process opened has a transaction open: nothing may fork then
    /// (the child would inherit the open transaction's locks; isolation refuses to).
    static bool transaction_open_anywhere() noexcept;
    /// Inserts a run (and its kept events when `with_events`); returns its id.
    std::int64_t add_run(std::int64_t campaign, const RunSpec& spec, const RunResult& result, bool with_events,
                         std::int64_t parent = 0);
    /// Inserts a run from a worker's report (events stored when the report has them).
    std::int64_t add_report(std::int64_t campaign, const RunSpec& spec, const struct RunReport& report,
                            std::int64_t parent = 0);
    /// The run with id `id`, if any.
    std::optional<StoredRun> run(std::int64_t id);
    /// The stored events of run `id`, in order.
    std::vector<StoredEvent> events(std::int64_t id);
    /// Ids of all runs, ascending.
    std::vector<std::int64_t> run_ids();
    /// Per-scenario aggregates, by scenario name; `campaign` 0 means all.
    std::vector<ScenarioSummary> summary(std::int64_t campaign = 0);
    /// Copies every campaign, run, event and violation of the store at `path` into this one,
    /// skipping runs already present (same scenario, params, policy, seed, choices and trace
    /// hash); parent links are remapped. Returns (runs copied, runs skipped).
    std::pair<std::int64_t, std::int64_t> merge_from(const std::string& path);

    /// Failing runs (outcome != pass), ascending id; `campaign` 0 means all.
    std::vector<StoredRun> failures(std::int64_t campaign = 0);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace corosim::checker
