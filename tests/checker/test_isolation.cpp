// The worker pool (issue 15): runs go to workers in batches, and a run that crashes, hangs or
// runs out of memory in the middle of a batch is recorded exactly as when runs went one at a
// time, the rest of its batch re-run; results equal the in-process runs.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#include "corosim/checker/isolation.hpp"
#include "corosim/checker/store.hpp"
#include "corosim/checker/signature.hpp"
#include "corosim/corosim.hpp"

// Outside corosim's namespaces, as a user's code is: a crash's headline names it.
constexpr int kAbortLine = __LINE__ + 2;
[[gnu::noinline]] void abort_in_scenario() {
    std::abort();
}
[[gnu::noinline]] int overflow_the_stack(long depth) {
    if (depth > (1L << 40)) return 0;  // never: the stack ends first
    volatile char pad[256];
    pad[0] = static_cast<char>(depth);
    return overflow_the_stack(depth + 1) + pad[0];
}

namespace corosim::checker {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif

// Run v: two tasks and a few awaits (a trace hash that depends on v), then what `bad(v)` asks.
enum class Bad { kNone, kAbort, kSpin, kAlloc, kOverflow };

Coro<void> step(std::int64_t v) {
    for (std::int64_t i = 0; i <= v % 3; ++i) co_await sleep(0);
}

Coro<void> body(std::int64_t v, Bad bad) {
    Task<void> a = create_task(step(v));
    Task<void> b = create_task(step(v + 1));
    co_await a;
    co_await b;
    trace("v", {{"v", v}});
    switch (bad) {
        case Bad::kNone: break;
        case Bad::kAbort: abort_in_scenario(); break;
        case Bad::kOverflow: (void)overflow_the_stack(0); break;
        case Bad::kSpin: {
            volatile std::uint64_t n = 0;
            for (;;) n = n + 1;
        }
        case Bad::kAlloc: {
            std::vector<std::unique_ptr<char[]>> blocks;
            for (;;) {
                blocks.emplace_back(new char[1 << 20]);
                std::memset(blocks.back().get(), 1, 1 << 20);
            }
        }
    }
}

scenarios::Scenario make_scenario(std::string name, std::function<Bad(std::int64_t)> bad) {
    return {std::move(name), "test", "misbehaves for some v", {{"v", 0, 1000, 0, "run"}},
            [bad](const scenarios::ScenarioArgs& c) { return body(c.get("v"), bad(c.get("v"))); }};
}

std::vector<WorkItem> work(const scenarios::Scenario& s, std::int64_t n) {
    std::vector<WorkItem> items;
    for (std::int64_t v = 0; v < n; ++v) {
        WorkItem item;
        item.scenario = &s;
        item.spec = default_spec(s, v % 2 == 0 ? "fifo" : "random", static_cast<std::uint64_t>(v));
        item.spec.params["v"] = v;
        item.check_determinism = v % 5 == 0;
        items.push_back(std::move(item));
    }
    return items;
}

std::vector<RunReport> run_all(WorkerPool& pool, const std::vector<WorkItem>& items) {
    std::vector<RunReport> out;
    pool.run(
        items,
        [&](std::size_t i, RunReport&& rep) {
            EXPECT_EQ(i, out.size()) << "results come in work-list order";
            out.push_back(std::move(rep));
        },
        [] { return true; });
    return out;
}

// Big batches: after its first result a worker gets every run left (up to `batch`) at once.
IsolationOptions big_batches() {
    IsolationOptions o;
    o.batch = 1024;
    o.batch_time = std::chrono::milliseconds(60'000);
    return o;
}

void expect_same(const std::vector<RunReport>& a, const std::vector<RunReport>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].outcome, b[i].outcome) << i;
        EXPECT_EQ(a[i].message, b[i].message) << i;
        EXPECT_EQ(a[i].trace_hash, b[i].trace_hash) << i;
        EXPECT_EQ(a[i].choices, b[i].choices) << i;
        EXPECT_EQ(a[i].steps, b[i].steps) << i;
    }
}

TEST(WorkerPool, CrashesInTheMiddleOfABatchBlameTheirRunAndRerunTheRest) {
    const auto s = make_scenario("abort_some", [](std::int64_t v) { return v % 7 == 3 ? Bad::kAbort : Bad::kNone; });
    const auto items = work(s, 200);
    WorkerPool pool({&s}, big_batches());
    const auto reports = run_all(pool, items);
    ASSERT_EQ(reports.size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i % 7 == 3) {
            EXPECT_EQ(reports[i].outcome, "crash") << i;
            EXPECT_NE(reports[i].message.find("signal 6"), std::string::npos) << reports[i].message;
            continue;
        }
        EXPECT_EQ(reports[i].outcome, "pass") << i << ": " << reports[i].message;
        RunSpec spec = items[i].spec;
        spec.level = TraceLevel::kOff;
        EXPECT_EQ(reports[i].trace_hash, run_spec(s, spec).trace_hash) << i;
    }
    // The same reports when runs go one at a time, and from two workers.
    IsolationOptions one;
    one.batch = 1;
    WorkerPool single({&s}, one);
    expect_same(run_all(single, items), reports);
    IsolationOptions two = big_batches();
    two.jobs = 2;
    WorkerPool pair({&s}, two);
    expect_same(run_all(pair, items), reports);
    // The pool outlives its crashed workers: a second work list on it gets the same results.
    expect_same(run_all(pool, items), reports);
}

// `text` is `head`, followed by ` (test_isolation.cpp:LINE)` when the build has line tables.
bool names(std::string_view text, const std::string& head, int line) {
    return text == head || text == head + " (test_isolation.cpp:" + std::to_string(line) + ")";
}

TEST(WorkerPool, ACrashCarriesItsBacktraceTheSameInEveryProcess) {
    const auto s = make_scenario("abort_one", [](std::int64_t v) { return v == 4 ? Bad::kAbort : Bad::kNone; });
    const auto items = work(s, 10);
    WorkerPool pool({&s}, big_batches());
    const auto reports = run_all(pool, items);
    ASSERT_EQ(reports.size(), items.size());
    const std::string& message = reports[4].message;
    EXPECT_EQ(reports[4].outcome, "crash");
    // The headline names the user's function past abort() and raise(); the frames follow it.
    EXPECT_TRUE(names(message_headline(message), "crashed with signal 6 (Aborted) in abort_in_scenario", kAbortLine)) << message;
    const std::string_view frames = message_backtrace(message);
    ASSERT_TRUE(frames.starts_with("  #0 ")) << message;
    EXPECT_NE(frames.find(" abort_in_scenario"), std::string_view::npos) << message;
    EXPECT_NE(frames.find(" corosim::checker::body"), std::string_view::npos) << message;
    // Down to the loop's entry, not into the harness: a replay in a one-off child (another
    // harness, another process) gives the same text, and so reproduces the same failure.
    const std::string_view last = frames.substr(frames.rfind('\n') + 1);
    EXPECT_TRUE(last.find(" corosim::run") != std::string_view::npos && last.find("corosim::checker") == std::string_view::npos)
        << message;
    const ChildRun child = run_spec_in_child(s, items[4].spec, false, ChildLimits{});
    EXPECT_EQ(child.end, ChildEnd::kCrash);
    EXPECT_EQ(child.why, message);
}

TEST(WorkerPool, AStackOverflowIsACrashWithItsBacktrace) {
    if (kAsan) GTEST_SKIP() << "ASan reports a stack overflow itself";
    const auto s = make_scenario("overflow_one", [](std::int64_t v) { return v == 2 ? Bad::kOverflow : Bad::kNone; });
    WorkerPool pool({&s}, big_batches());
    const auto reports = run_all(pool, work(s, 5));
    ASSERT_EQ(reports.size(), 5u);
    EXPECT_EQ(reports[2].outcome, "crash");
    // Which line of the function faults (a local's store, the call's push) depends on where the
    // stack started: any line of it will do.
    EXPECT_TRUE(message_headline(reports[2].message).starts_with("crashed with signal 11 (Segmentation fault) in overflow_the_stack"))
        << reports[2].message;
    EXPECT_EQ(reports[3].outcome, "pass");
}

TEST(WorkerPool, AHangInTheMiddleOfABatchIsThatRunsTimeout) {
    const auto s = make_scenario("spin_one", [](std::int64_t v) { return v == 40 ? Bad::kSpin : Bad::kNone; });
    const auto items = work(s, 100);
    IsolationOptions o = big_batches();
    o.run_timeout = std::chrono::milliseconds(1000);
    WorkerPool pool({&s}, o);
    const auto reports = run_all(pool, items);
    ASSERT_EQ(reports.size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        EXPECT_EQ(reports[i].outcome, i == 40 ? "hang" : "pass") << i << ": " << reports[i].message;
    }
    EXPECT_EQ(reports[40].message, "hang: no result within 1000 ms (--timeout)");
}

TEST(WorkerPool, RunningOutOfMemoryInTheMiddleOfABatchIsThatRunsOom) {
    if (kAsan) GTEST_SKIP() << "ASan reserves terabytes of address space: RLIMIT_AS cannot apply";
    const auto s = make_scenario("alloc_one", [](std::int64_t v) { return v == 30 ? Bad::kAlloc : Bad::kNone; });
    const auto items = work(s, 60);
    IsolationOptions o = big_batches();
    o.max_memory_mb = 512;
    WorkerPool pool({&s}, o);
    const auto reports = run_all(pool, items);
    ASSERT_EQ(reports.size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        EXPECT_EQ(reports[i].outcome, i == 30 ? "oom" : "pass") << i << ": " << reports[i].message;
    }
}

TEST(WorkerPool, BatchesOfReportsLargerThanAPipeGetThrough) {
    // Every run keeps its events: a batch's answer is far bigger than the result pipe, while
    // the parent keeps the next batches coming.
    const auto s = make_scenario("fine", [](std::int64_t) { return Bad::kNone; });
    auto items = work(s, 2000);
    for (WorkItem& item : items) item.keep_events = true;
    WorkerPool pool({&s}, big_batches());
    const auto reports = run_all(pool, items);
    ASSERT_EQ(reports.size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        EXPECT_EQ(reports[i].outcome, "pass") << i;
        EXPECT_TRUE(reports[i].has_events && !reports[i].events.empty()) << i;
    }
}

TEST(WorkerPool, AStopBetweenBatchesLeavesAPrefix) {
    const auto s = make_scenario("fine", [](std::int64_t) { return Bad::kNone; });
    const auto items = work(s, 500);
    WorkerPool pool({&s}, big_batches());
    int asked = 0;
    std::size_t got = 0;
    pool.run(
        items, [&](std::size_t i, RunReport&&) { EXPECT_EQ(i, got++); }, [&] { return ++asked <= 2; });
    EXPECT_GT(got, 0u);
    EXPECT_LT(got, items.size());
}

// ---- no SQLite state crosses a fork ----

struct TempStore {
    std::string path;
    TempStore() {
        char tmpl[] = "/tmp/corosim-fork-XXXXXX";
        const int fd = ::mkstemp(tmpl);
        ::close(fd);
        path = tmpl;
        ::unlink(tmpl);  // Store creates it
    }
    ~TempStore() {
        for (const char* ext : {"", "-wal", "-shm"}) ::unlink((path + ext).c_str());
    }
};

TEST(ForkSafety, NoChildIsForkedWhileAStoreTransactionIsOpen) {
    TempStore tmp;
    Store store(tmp.path);
    const auto child = [] { return std::string("ran"); };
    store.begin();
    EXPECT_TRUE(Store::transaction_open_anywhere());
    EXPECT_THROW((void)run_child(child, ChildLimits{}), std::logic_error);
    const auto s = make_scenario("fine", [](std::int64_t) { return Bad::kNone; });
    {
        WorkerPool pool({&s}, IsolationOptions{});
        EXPECT_THROW(run_all(pool, work(s, 3)), std::logic_error);
    }
    store.commit();
    EXPECT_FALSE(Store::transaction_open_anywhere());
    EXPECT_EQ(run_child(child, ChildLimits{}).bytes, "ran");
}

// The pool's hook commits before every fork (the campaign's committer does this).
TEST(ForkSafety, ThePoolsBeforeForkHookClosesTheTransactionFirst) {
    TempStore tmp;
    Store store(tmp.path);
    const auto s = make_scenario("fine", [](std::int64_t) { return Bad::kNone; });
    IsolationOptions options;
    options.jobs = 2;
    int forks = 0;
    options.before_fork = [&] {
        ++forks;
        if (store.in_transaction()) store.commit();
    };
    store.begin();
    WorkerPool pool({&s}, options);
    EXPECT_EQ(run_all(pool, work(s, 20)).size(), 20u);
    EXPECT_GE(forks, 1);
}

TEST(ForkSafety, AChildCannotUseItsParentsStoreConnection) {
    TempStore tmp;
    Store store(tmp.path);
    const ChildResult r = run_child(
        [&] {
            try {
                store.begin();
                return std::string("used the parent's connection");
            } catch (const std::logic_error& e) {
                return std::string(e.what());
            }
        },
        ChildLimits{});
    ASSERT_EQ(r.end, ChildEnd::kOk) << r.why;
    EXPECT_EQ(r.bytes, "a store connection was used in a forked child");
    store.begin();  // the parent's connection is untouched
    store.commit();
}

}  // namespace
}  // namespace corosim::checker
