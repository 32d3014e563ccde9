// isolation.hpp: runs scenario runs in forked worker processes, so a scenario that aborts,
// takes a signal or hangs is recorded as a failure with its seed instead of taking the fuzzer
// down (issue 6). A pool of worker processes lives as long as the campaign; the parent sends
// batches of runs and each worker answers a batch with one message; the parent watches for
// death and silence (a counter in shared memory says which run a worker is in, so a crash in
// the middle of a batch blames that run and re-runs the rest), and delivers results in
// work-list order, so `--jobs N` stores exactly what `--jobs 1` does.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "corosim/checker/runner.hpp"
#include "corosim/checker/wire.hpp"
#include "corosim/scenarios/scenario.hpp"

namespace corosim::checker {

/// One run of a campaign.
struct WorkItem {
    const scenarios::Scenario* scenario = nullptr;  ///< must be one of the pool's scenarios
    RunSpec spec;                    ///< what to run (spec.scenario names the same scenario)
    bool keep_events = false;        ///< store its events even if it passes
    bool check_determinism = false;  ///< re-run and compare hashes even if it passes
};

/// Runs one item in this process: a failure is re-run with its full trace (kept for the store),
/// and a re-run whose hash differs is reported as a "nondeterministic scenario" failure.
RunReport execute_item(const WorkItem& item);

/// How worker processes are used.
struct IsolationOptions {
    unsigned jobs = 1;                                 ///< worker processes
    std::size_t batch = 1024;                          ///< most runs handed out at a time
    std::chrono::milliseconds batch_time{20};          ///< aim: a batch takes about this long
    std::chrono::milliseconds run_timeout{20'000};     ///< a silent worker is killed after this: outcome hang
    std::uint64_t max_memory_mb = 0;                   ///< address-space limit per worker (0: none): outcome oom

    /// Called before every fork (the campaign commits: no SQLite transaction crosses a fork).
    std::function<void()> before_fork;
};

/// Worker processes that outlive one work list: forked on first use, they are handed each run
/// over a pipe (so a campaign forks once, not once per round) and answer a batch of runs per
/// message. Runs of `scenarios` only. Not thread-safe; the destructor ends the workers.
class WorkerPool {
public:
    /// A pool for runs of `scenarios`; no process is forked until the first run().
    WorkerPool(std::vector<const scenarios::Scenario*> scenarios, IsolationOptions options);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// Runs `items`. `on_result(i, report)` is called in index order for every item that was
    /// dispatched; `keep_going()` is asked before each dispatch (a time budget) and
    /// dispatching stops at the first false, so the items run are always a prefix. Returns
    /// when every dispatched item has its result.
    void run(const std::vector<WorkItem>& items, const std::function<void(std::size_t, RunReport&&)>& on_result,
             const std::function<bool()>& keep_going);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Runs `items` in a WorkerPool of their own (see WorkerPool::run).
void run_isolated(const std::vector<WorkItem>& items, const IsolationOptions& options,
                  const std::function<void(std::size_t, RunReport&&)>& on_result,
                  const std::function<bool()>& keep_going);

/// In a freshly forked child of `parent`: dies with it (SIGKILL when the parent goes, however it
/// goes), and leaves SIGINT/SIGTERM to it, so a Ctrl-C lets the parent stop cleanly.
void become_child_of(pid_t parent);

/// Limits on a child process (0: none).
struct ChildLimits {
    std::chrono::milliseconds timeout{60'000};  ///< wall clock; killed after it (hang)
    std::uint64_t max_memory_mb = 0;            ///< RLIMIT_AS; an allocation failing beyond it is oom
};

/// How a child process ended.
enum class ChildEnd : std::uint8_t { kOk, kCrash, kHang, kOom };

/// The outcome name of a child that did not end normally: "crash", "hang" or "oom".
const char* child_end_outcome(ChildEnd end);

/// What a child process returned, or how it failed to.
struct ChildResult {
    ChildEnd end = ChildEnd::kOk;  ///< kOk, or how it died
    std::string bytes;  ///< what the function returned (kOk only)
    std::string why;    ///< one line (not kOk): the signal, the timeout or the memory limit
};

/// Runs `fn` in a forked child under `limits` and returns what it returned, or how it died.
ChildResult run_child(const std::function<std::string()>& fn, const ChildLimits& limits);

/// A run made in a child process: its report and its rendered trace, or how the child died.
struct ChildRun {
    ChildEnd end = ChildEnd::kOk;  ///< kOk, or how it died
    std::string why;         ///< not kOk: one line
    RunReport report;        ///< kOk: events kept when the spec's level is kFull
    std::string trace_text;  ///< kOk: the kept events, one per line (internal ones when `full_text`)
};

/// Runs `spec` in a forked child under `limits`.
ChildRun run_spec_in_child(const scenarios::Scenario& scenario, const RunSpec& spec, bool full_text,
                           const ChildLimits& limits);

}  // namespace corosim::checker
