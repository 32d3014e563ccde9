// Properties of issue 5's runtime pieces over any schedule: async generator cleanup, queues
// under cancellation, never-awaited warnings.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <memory>
#include <set>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scheduler/policies.hpp"

namespace corosim {
namespace {

struct Run {
    std::unique_ptr<Policy> policy;
    LoopOptions options;
};

Run gen_run() {
    Run r;
    const std::string spec = *rc::gen::element<std::string>("fifo", "random", "pct:3");
    r.policy = sched::make_policy(sched::parse_policy(spec), *rc::gen::arbitrary<std::uint64_t>());
    r.options.policy = r.policy.get();
    r.options.trace_level = TraceLevel::kSummary;
    return r;
}

// ---- every async generator's finally runs exactly once by the end of run() ----
// (As in CPython, an aclose() task scheduled by the finalizer hook can still be running, or not
// yet started, when asyncio.run cancels what is left; its finally then records the interruption.)

struct GenCounts {
    int started = 0;
    int finally_entered = 0;
    int finally_completed = 0;
    int finally_interrupted = 0;  // a CancelledError (asyncio.run's cancel_all) hit its await
};

AsyncGen<int> numbers(int n, std::shared_ptr<GenCounts> counts) {
    ++counts->started;
    std::exception_ptr failed;
    try {
        for (int i = 0; i < n; ++i) {
            co_yield i;
            co_await sleep(0);
        }
    } catch (...) {
        failed = std::current_exception();
    }
    ++counts->finally_entered;
    std::exception_ptr interrupted;
    try {
        co_await sleep(0);  // the finally awaits
    } catch (const CancelledError&) {
        interrupted = std::current_exception();
    } catch (const GeneratorExit&) {  // 3.12: the aclose() task's wakeup after a cancel before its start
        interrupted = std::current_exception();
    }
    if (interrupted) {
        ++counts->finally_interrupted;
        std::rethrow_exception(interrupted);
    }
    ++counts->finally_completed;
    if (failed) std::rethrow_exception(failed);
}

// How a consumer leaves its generator: exhausted, abandoned mid-way, closed, or left open.
Coro<void> consume(AsyncGen<int> g, int take, int how) {
    for (int i = 0; i < take; ++i) {
        auto v = co_await g.next();
        if (!v) break;
    }
    if (how == 1) {
        auto close = g.aclose();
        co_await close;
    }
    if (how == 2) {
        while (co_await g.next()) {
        }
    }
}

// Holds generators until asyncio.run's shutdown cancels it.
Coro<void> hold(std::vector<AsyncGen<int>> gens) {
    co_await sleep(seconds(3600));
    (void)gens;
}

Coro<void> generators(std::vector<std::pair<int, int>> plan, std::shared_ptr<GenCounts> counts) {
    std::vector<Task<void>> tasks;
    std::vector<AsyncGen<int>> kept;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        AsyncGen<int> g = numbers(5, counts);
        if (plan[i].second == 3) kept.push_back(g);  // still referenced when run() shuts down
        tasks.push_back(create_task(consume(g, plan[i].first, plan[i].second % 3)));
    }
    Task<void> holder = create_task(hold(std::move(kept)));
    for (auto& t : tasks) co_await t;
    // An aclose() task the finalizer hook scheduled may not have started yet: asyncio.run
    // cancels it, and the CancelledError still reaches the generator (F10).
}

RC_GTEST_PROP(AsyncGenProps, EveryFinallyRunsExactlyOnceByTheEndOfTheRun, ()) {
    const auto plan = *rc::gen::container<std::vector<std::pair<int, int>>>(
        rc::gen::pair(rc::gen::inRange(0, 7), rc::gen::inRange(0, 4)));
    auto counts = std::make_shared<GenCounts>();
    Run r = gen_run();
    const RunResult res = run([&] { return generators(plan, counts); }, r.options);
    RC_LOG() << res.message << "\n";
    RC_ASSERT(res.outcome == Outcome::kPass);
    RC_ASSERT(counts->finally_entered == counts->started);
    RC_ASSERT(counts->finally_completed + counts->finally_interrupted == counts->finally_entered);
    RC_ASSERT(res.frames_created == res.frames_destroyed);
}

// ---- a Queue never loses or duplicates an item when getters are cancelled ----

Coro<void> getter(Queue<int> q, std::shared_ptr<std::vector<int>> got) {
    for (;;) {
        const int v = co_await q.get();
        got->push_back(v);
        q.task_done();
    }
}

Coro<void> queue_run(int items, std::vector<int> cancel_at, std::shared_ptr<std::vector<int>> got) {
    Queue<int> q(2);
    std::vector<Task<void>> getters;
    for (int i = 0; i < 3; ++i) getters.push_back(create_task(getter(q, got)));
    for (int i = 0; i < items; ++i) {
        co_await q.put(i);
        for (int c : cancel_at) {
            if (c == i && !getters.empty()) {
                getters.front().cancel();
                getters.erase(getters.begin());
                getters.push_back(create_task(getter(q, got)));  // a replacement keeps draining
            }
        }
    }
    co_await q.join();
    for (auto& g : getters) g.cancel();
}

RC_GTEST_PROP(QueueProps, CancelledGettersNeverLoseOrDuplicateItems, ()) {
    const int items = *rc::gen::inRange(1, 40);
    const auto cancel_at = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 40));
    auto got = std::make_shared<std::vector<int>>();
    Run r = gen_run();
    const RunResult res = run([&] { return queue_run(items, cancel_at, got); }, r.options);
    RC_ASSERT(res.outcome == Outcome::kPass);
    std::vector<int> sorted = *got;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int> expected(static_cast<std::size_t>(items));
    for (int i = 0; i < items; ++i) expected[static_cast<std::size_t>(i)] = i;
    RC_ASSERT(sorted == expected);
}

// ---- each coroutine never awaited produces exactly one warning ----

Coro<void> leaf() { co_return; }

Coro<void> drop_some(std::vector<bool> awaited) {
    for (bool a : awaited) {
        Coro<void> c = leaf();
        if (a) co_await std::move(c);
        co_await sleep(0);
    }
}

RC_GTEST_PROP(CoroProps, EachNeverAwaitedCoroutineWarnsExactlyOnce, ()) {
    const auto awaited = *rc::gen::container<std::vector<bool>>(rc::gen::arbitrary<bool>());
    Run r = gen_run();
    const RunResult res = run([&] { return drop_some(awaited); }, r.options);
    const std::string text = res.trace.render_all(false);
    std::size_t warnings = 0;
    for (std::size_t at = text.find("coroutine 'leaf' was never awaited"); at != std::string::npos;
         at = text.find("coroutine 'leaf' was never awaited", at + 1)) {
        ++warnings;
    }
    const auto expected = static_cast<std::size_t>(std::count(awaited.begin(), awaited.end(), false));
    RC_ASSERT(warnings == expected);
    RC_ASSERT(res.frames_created == res.frames_destroyed);
}

}  // namespace
}  // namespace corosim
