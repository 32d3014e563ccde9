// bugbench_apps.cpp: bugbench application patterns (not CPython bugs): mistakes asyncio code
// commonly makes, each with a correct twin. Two depend only on a relation between two
// parameters, one on a schedule at a tie, one on both.
#include <set>
#include <string>
#include <vector>

#include "bugbench_util.hpp"

namespace corosim::scenarios {

namespace {

using bugbench::bb;
using bugbench::cancel_at;
using bugbench::join;

// ---- a lock released outside `finally`: cancelled mid-work, the worker never releases ----

Coro<void> guarded_work(Lock lock, std::int64_t work_ms, bool fixed) {
    co_await lock.acquire();
    if (!fixed) {
        co_await sleep(millis(work_ms));
        lock.release();  // the bug: skipped when the sleep raises CancelledError
        co_return;
    }
    std::exception_ptr failed;
    try {
        co_await sleep(millis(work_ms));
    } catch (...) {
        failed = std::current_exception();
    }
    lock.release();
    if (failed) std::rethrow_exception(failed);
}

// A worker holds the lock for work_ms and is cancelled at cancel_ms; a later user needs it.
Coro<void> lock_no_finally(Context c, bool fixed) {
    Lock lock;
    auto victim = std::make_shared<Task<void>>();
    Task<void> k = create_task(cancel_at(c.get("cancel_ms"), victim));
    *victim = create_task(guarded_work(lock, c.get("work_ms"), fixed));
    co_await join(k);
    co_await join(*victim);
    check(!lock.locked(), "the lock is free once its worker is done");
}

// ---- single-flight cache: followers await the leader's future; the leader is cancelled ----

struct Cache {
    std::optional<Future<std::int64_t>> inflight;
    std::optional<Task<std::int64_t>> inflight_task;
    int fetches = 0;
};

Coro<std::int64_t> fetch(std::shared_ptr<Cache> cache, std::int64_t fetch_ms) {
    ++cache->fetches;
    std::exception_ptr failed;
    try {
        co_await sleep(millis(fetch_ms));
    } catch (...) {
        failed = std::current_exception();
    }
    cache->inflight_task.reset();  // finally: the next caller starts a fresh fetch
    if (failed) std::rethrow_exception(failed);
    co_return 42;
}

Coro<std::int64_t> cached_get(std::shared_ptr<Cache> cache, std::int64_t fetch_ms, bool fixed) {
    if (fixed) {
        // The fetch is its own task, shielded from each caller's cancellation.
        if (!cache->inflight_task) cache->inflight_task = create_task(fetch(cache, fetch_ms));
        co_return co_await shield(*cache->inflight_task);
    }
    if (cache->inflight) {
        Future<std::int64_t> f = *cache->inflight;
        co_return co_await f;  // a follower
    }
    Future<std::int64_t> f;
    cache->inflight = f;
    ++cache->fetches;
    co_await sleep(millis(fetch_ms));  // the bug: cancelled here, the leader never completes f
    f.set_result(42);
    cache->inflight.reset();
    co_return 42;
}

Coro<void> caller(std::shared_ptr<Cache> cache, std::int64_t start_ms, std::int64_t fetch_ms, bool fixed) {
    if (start_ms > 0) co_await sleep(millis(start_ms));
    const std::int64_t v = co_await cached_get(cache, fetch_ms, fixed);
    trace("got", {{"value", v}});
}

// A leader starts a fetch of fetch_ms; a follower asks at follower_ms; the leader is cancelled
// at cancel_ms. The follower must get a value.
Coro<void> singleflight(Context c, bool fixed) {
    auto cache = std::make_shared<Cache>();
    auto victim = std::make_shared<Task<void>>();
    Task<void> k = create_task(cancel_at(c.get("cancel_ms"), victim));
    *victim = create_task(caller(cache, 0, c.get("fetch_ms"), fixed));
    Task<void> follower = create_task(caller(cache, c.get("follower_ms"), c.get("fetch_ms"), fixed));
    co_await join(k);
    co_await join(*victim);
    co_await follower;  // a leader that never completes its future shows as a deadlock here
}

// ---- retry with a timeout shorter than the latency: a non-idempotent request applied twice ----

struct Server {
    int applied = 0;
    std::set<std::int64_t> seen;
};

// The server applies the request as it arrives, then answers after latency_ms.
Coro<void> server_call(std::shared_ptr<Server> server, std::int64_t request_id, std::int64_t latency_ms, bool fixed) {
    if (!fixed || server->seen.insert(request_id).second) ++server->applied;  // fixed: an idempotency key
    co_await sleep(millis(latency_ms));
}

Coro<void> retrying_client(std::shared_ptr<Server> server, std::int64_t timeout_ms, std::int64_t latency_ms,
                           bool fixed) {
    for (int attempt = 0; attempt < 3; ++attempt) {
        bool timed_out = false;
        try {
            co_await wait_for(server_call(server, 1, latency_ms, fixed), millis(timeout_ms));
        } catch (const TimeoutError&) {
            timed_out = true;
        }
        if (!timed_out) co_return;
        trace("retry", {{"attempt", attempt}});
    }
    trace("gave.up");
}

Coro<void> retry_timeout(Context c, bool fixed) {
    auto server = std::make_shared<Server>();
    co_await retrying_client(server, c.get("timeout_ms"), c.get("latency_ms"), fixed);
    check(server->applied == 1, "the request is applied exactly once");
}

// ---- shutdown racing a submit: a job accepted after the stop sentinel is never run ----

constexpr std::int64_t kStop = -1;

struct Pool {
    Queue<std::int64_t> jobs;
    bool closed = false;
    int accepted = 0;
    int processed = 0;
};

Coro<void> pool_worker(std::shared_ptr<Pool> pool) {
    for (;;) {
        const std::int64_t job = co_await pool->jobs.get();
        if (job == kStop) co_return;
        ++pool->processed;
    }
}

Coro<void> submit(std::shared_ptr<Pool> pool, std::int64_t at, bool fixed) {
    co_await sleep(millis(at));
    if (pool->closed) co_return;
    co_await sleep(0);  // validation, logging: the check and the put are no longer atomic
    if (fixed && pool->closed) co_return;  // the fix: check again after the await
    pool->jobs.put_nowait(1);
    ++pool->accepted;
}

Coro<void> shutdown(std::shared_ptr<Pool> pool, std::int64_t at) {
    co_await sleep(millis(at));
    pool->closed = true;
    pool->jobs.put_nowait(kStop);
}

// A worker serves a queue; a job is submitted at submit_ms and the pool shut down at
// shutdown_ms (the shutdown task is created first: FIFO closes before the submit on a tie).
Coro<void> shutdown_submit(Context c, bool fixed) {
    auto pool = std::make_shared<Pool>();
    Task<void> d = create_task(shutdown(pool, c.get("shutdown_ms")));
    Task<void> s = create_task(submit(pool, c.get("submit_ms"), fixed));
    Task<void> w = create_task(pool_worker(pool));
    co_await d;
    co_await s;
    co_await w;
    check(pool->processed == pool->accepted, "every accepted job is processed");
}

}  // namespace

void register_bugbench_apps(Registry& reg) {
    const std::vector<ParamSpec> lock_params = {{"work_ms", 1, 10, 2, "how long the worker holds the lock"},
                                                {"cancel_ms", 0, 10, 5, "when the worker is cancelled"}};
    reg.add(bb("bugbench_app_lock_no_finally", "app: lock.release() outside finally; a cancel mid-work leaks the lock",
               lock_params, [](const Context& c) { return lock_no_finally(c, false); }, true));
    reg.add(bb("bugbench_app_lock_no_finally_fixed", "app: the same worker releasing in finally", lock_params,
               [](const Context& c) { return lock_no_finally(c, true); }, false));

    const std::vector<ParamSpec> sf_params = {{"fetch_ms", 1, 10, 3, "how long the fetch takes"},
                                              {"follower_ms", 0, 10, 1, "when the follower asks"},
                                              {"cancel_ms", 0, 10, 6, "when the leader is cancelled"}};
    reg.add(bb("bugbench_app_singleflight", "app: single-flight cache whose leader, cancelled mid-fetch, never completes the followers' future",
               sf_params, [](const Context& c) { return singleflight(c, false); }, true));
    reg.add(bb("bugbench_app_singleflight_fixed", "app: the same cache with the fetch in its own shielded task", sf_params,
               [](const Context& c) { return singleflight(c, true); }, false));

    const std::vector<ParamSpec> retry_params = {{"timeout_ms", 1, 1000, 500, "the client's per-attempt timeout"},
                                                 {"latency_ms", 1, 1000, 100, "the server's response time"}};
    reg.add(bb("bugbench_app_retry_timeout", "app: retry after a timeout shorter than the latency applies a non-idempotent request twice",
               retry_params, [](const Context& c) { return retry_timeout(c, false); }, true));
    reg.add(bb("bugbench_app_retry_timeout_fixed", "app: the same retries with an idempotency key", retry_params,
               [](const Context& c) { return retry_timeout(c, true); }, false));

    const std::vector<ParamSpec> pool_params = {{"submit_ms", 0, 5, 1, "when the job is submitted"},
                                                {"shutdown_ms", 0, 5, 3, "when the pool shuts down"}};
    reg.add(bb("bugbench_app_shutdown_submit", "app: submit() checks `closed`, awaits, then enqueues; a shutdown in between strands the job",
               pool_params, [](const Context& c) { return shutdown_submit(c, false); }, true));
    reg.add(bb("bugbench_app_shutdown_submit_fixed", "app: the same pool re-checking `closed` after the await", pool_params,
               [](const Context& c) { return shutdown_submit(c, true); }, false));
}

}  // namespace corosim::scenarios
