// conf_heldout_sync.cpp: twins of the held-out synchronisation-primitive
// conformance programs (tests/conformance/programs/heldout_{lock_races,semaphore_fairness,
// condition_cancel}.py), each adapted from tests of CPython 3.12's
// Lib/test/test_asyncio/test_locks.py. The async generator twins are in conf_heldout.cpp, the
// Queue and contextvars ones in conf_heldout_queue.cpp.
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

// ---- heldout_lock_races ----

Coro<void> lr_lockit(Lock lock, std::string name, std::optional<Future<void>> blocker) {
    trace("lockit.call", {{"name", name}});
    std::exception_ptr cancelled;
    try {
        Coro<bool> a = lock.acquire();
        co_await std::move(a);
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    if (cancelled) {
        trace("lockit.cancelled", {{"name", name}, {"lock", lock.repr()}});
        std::rethrow_exception(cancelled);
    }
    trace("lockit.locked", {{"name", name}});
    std::exception_ptr err;
    try {
        if (blocker) co_await *blocker;
    } catch (...) {
        err = std::current_exception();
    }
    lock.release();
    trace("lockit.released", {{"name", name}, {"lock", lock.repr()}});
    if (err) std::rethrow_exception(err);
}

Coro<void> lr_holdit(Lock lock, std::string name) {
    trace("holdit.call", {{"name", name}});
    std::exception_ptr cancelled;
    try {
        Coro<bool> a = lock.acquire();
        co_await std::move(a);
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    if (cancelled) {
        trace("holdit.cancelled", {{"name", name}});
        std::rethrow_exception(cancelled);
    }
    trace("holdit.locked", {{"name", name}});
}

Coro<bool> lr_ev_waiter(sync::Event ev) {
    Coro<bool> w = ev.wait();
    bool res = co_await std::move(w);
    trace("ev.woke", {{"value", res}});
    co_return true;
}

Coro<void> heldout_lock_races() {
    Loop& loop = running_loop();
    {  // LockTests.test_acquire_cancel
        Lock lock;
        Coro<bool> a = lock.acquire();
        bool v = co_await std::move(a);
        trace("acquire", {{"value", v}});
        Task<bool> task = create_task(lock.acquire());
        loop.call_soon([task]() mutable { task.cancel(); }, "task.cancel()");
        try {
            co_await task;
        } catch (const CancelledError&) {
            trace("acquire_cancel", {{"task", task.name()}, {"cancelled", task.cancelled()}, {"lock", lock.repr()}});
        }
    }
    {  // LockTests.test_cancel_race
        Lock lock;
        Future<void> fa;
        Task<void> ta = create_task(lr_lockit(lock, "A", fa));
        co_await sleep(0);
        Task<void> tb = create_task(lr_lockit(lock, "B", std::nullopt));
        co_await sleep(0);
        Task<void> tc = create_task(lr_lockit(lock, "C", std::nullopt));
        co_await sleep(0);
        trace("race.setup", {{"lock", lock.repr()}});
        fa.set_result();
        tb.cancel();
        co_await sleep(0);
        trace("race", {{"locked", lock.locked()}, {"a_done", ta.done()}, {"b_cancelled", tb.cancelled()}});
        co_await tc;
        trace("race.end", {{"lock", lock.repr()}});
    }
    {  // LockTests.test_cancel_release_race
        Lock lock;
        Coro<bool> a = lock.acquire();
        co_await std::move(a);
        Task<void> t1 = create_task(lr_holdit(lock, "t1"));
        Task<void> t2 = create_task(lr_holdit(lock, "t2"));
        Task<void> t3 = create_task(lr_holdit(lock, "t3"));
        co_await sleep(0);
        loop.call_soon(
            [t1, lock]() mutable {
                trace("trigger");
                t1.cancel();
                lock.release();
            },
            "trigger()");
        try {
            co_await t1;
        } catch (const CancelledError&) {
            trace("t1.cancelled", {{"t2_done", t2.done()}, {"t3_done", t3.done()}, {"lock", lock.repr()}});
        }
        t3.cancel();
        co_await sleep(0);
        trace("t3", {{"cancelled", t3.cancelled()}, {"lock", lock.repr()}});
    }
    {  // LockTests.test_finished_waiter_cancelled
        Lock lock;
        Coro<bool> a = lock.acquire();
        co_await std::move(a);
        Task<void> tb = create_task(lr_holdit(lock, "tb"));
        co_await sleep(0);
        Task<void> tc = create_task(lr_holdit(lock, "tc"));
        tb.cancel();
        lock.release();
        trace("released", {{"lock", lock.repr()}});
        co_await sleep(0);
        trace("finished_waiter", {{"locked", lock.locked()}, {"tb_cancelled", tb.cancelled()}, {"tc_done", tc.done()}});
        co_await tc;
    }
    {  // EventTests.test_wait_cancel
        sync::Event ev;
        Task<bool> wait = create_task(ev.wait());
        loop.call_soon([wait]() mutable { wait.cancel(); }, "wait.cancel()");
        try {
            co_await wait;
        } catch (const CancelledError&) {
            trace("ev.wait_cancel", {{"task", wait.name()}, {"ev", ev.repr()}});
        }
    }
    {  // EventTests.test_clear_with_waiters
        sync::Event ev;
        Task<bool> t = create_task(lr_ev_waiter(ev));
        co_await sleep(0);
        ev.set();
        ev.clear();
        trace("ev.cleared", {{"is_set", ev.is_set()}});
        ev.set();
        ev.set();
        trace("ev.set_twice", {{"ev", ev.repr()}});
        co_await sleep(0);
        bool result = t.result();
        trace("ev.after", {{"ev", ev.repr()}, {"done", t.done()}, {"result", result}});
    }
}

// ---- heldout_semaphore_fairness ----

Coro<bool> sf_acq(Semaphore sem, std::string tag) {
    std::exception_ptr cancelled;
    try {
        Coro<bool> a = sem.acquire();
        co_await std::move(a);
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    if (cancelled) {
        trace("acq.cancelled", {{"tag", tag}});
        std::rethrow_exception(cancelled);
    }
    trace("acq.got", {{"tag", tag}, {"sem", sem.repr()}});
    co_return true;
}

Coro<bool> sf_c2_twice(Semaphore sem) {
    {
        Coro<bool> a = sem.acquire();
        co_await std::move(a);
    }
    trace("acq.got", {{"tag", "c2"}, {"sem", sem.repr()}});
    sem.release();
    trace("c2.released", {{"locked", sem.locked()}, {"sem", sem.repr()}});
    {
        Coro<bool> a = sem.acquire();
        co_await std::move(a);
    }
    trace("acq.got", {{"tag", "c2.again"}, {"sem", sem.repr()}});
    co_return true;
}

Coro<void> sf_c1_body(Semaphore& sem) {
    trace("c1.in", {{"sem", sem.repr()}});
    co_await sleep(0);
}

Coro<void> sf_no_hang_c1(Semaphore sem, std::shared_ptr<std::vector<Task<void>>> box) {
    Coro<void> c = async_with(sem, &sf_c1_body);
    co_await std::move(c);
    (*box)[0].cancel();
    trace("c1.cancelled_c2", {{"sem", sem.repr()}});
}

Coro<void> sf_c2_body(Semaphore&) {
    trace("c2.in.unreached");
    co_return;
}

Coro<void> sf_no_hang_c2(Semaphore sem) {
    Coro<void> c = async_with(sem, &sf_c2_body);
    co_await std::move(c);
}

Coro<void> sf_fifo(Semaphore sem, std::string tag) {
    for (int n : {1, 2}) {
        Coro<bool> a = sem.acquire();
        co_await std::move(a);
        trace("fifo", {{"tag", tag + "_" + std::to_string(n)}});
        co_await sleep(seconds(1));
        sem.release();
    }
}

Coro<void> sf_tg_body(TaskGroup& tg, Semaphore sem) {
    for (const char* tag : {"c1", "c2", "c3"}) (void)tg.create_task(sf_fifo(sem, tag));
    co_return;
}

std::vector<bool> done_flags(const std::vector<Task<bool>>& ts) {
    std::vector<bool> out;
    for (const auto& t : ts) out.push_back(t.done());
    return out;
}

Coro<void> heldout_semaphore_fairness() {
    {  // test_acquire_fifo_order_2
        Semaphore sem(1);
        std::vector<Task<bool>> ts{create_task(sf_acq(sem, "c1")), create_task(sf_c2_twice(sem)),
                                   create_task(sf_acq(sem, "c3"))};
        co_await sleep(0);
        sem.release();
        sem.release();
        trace("released.twice", {{"sem", sem.repr()}});
        auto g = gather(ts);
        std::vector<bool> results = co_await g;
        trace("gathered", {{"results", results}});
    }
    {  // test_acquire_fifo_order_3
        Semaphore sem(0);
        std::vector<Task<bool>> ts;
        for (const char* t : {"c1", "c2", "c3"}) ts.push_back(create_task(sf_acq(sem, t)));
        co_await sleep(0);
        ts[0].cancel();
        co_await sleep(0);
        sem.release();
        sem.release();
        auto g = gather_settled(ts);
        auto results = co_await g;
        trace("gathered", {{"results", results}});
    }
    {  // test_acquire_cancel_before_awoken
        Semaphore sem(0);
        std::vector<Task<bool>> ts;
        for (int i : {1, 2, 3, 4}) ts.push_back(create_task(sf_acq(sem, "t" + std::to_string(i))));
        co_await sleep(0);
        ts[0].cancel();
        ts[1].cancel();
        sem.release();
        co_await sleep(0);
        co_await sleep(0);
        trace("awoken", {{"t3_done", ts[2].done()}, {"t4_done", ts[3].done()}, {"sem", sem.repr()}});
        ts[2].cancel();
        ts[3].cancel();
        co_await sleep(0);
        trace("cleanup", {{"done", done_flags(ts)}, {"sem", sem.repr()}});
    }
    {  // test_acquire_hang
        Semaphore sem(0);
        std::vector<Task<bool>> ts;
        for (int i : {1, 2}) ts.push_back(create_task(sf_acq(sem, "h" + std::to_string(i))));
        co_await sleep(0);
        ts[0].cancel();
        sem.release();
        co_await sleep(0);
        co_await sleep(0);
        trace("hang", {{"locked", sem.locked()}, {"h2_done", ts[1].done()}, {"sem", sem.repr()}});
    }
    {  // test_acquire_no_hang
        Semaphore sem(1);
        auto box = std::make_shared<std::vector<Task<void>>>();
        Task<void> t1 = create_task(sf_no_hang_c1(sem, box));
        Task<void> t2 = create_task(sf_no_hang_c2(sem));
        box->push_back(t2);
        auto g = gather_settled(std::vector<Task<void>>{t1, t2});
        auto rs = co_await g;
        trace("no_hang", {{"r1", py_repr(rs[0])}, {"r2", py_repr(rs[1])}, {"sem", sem.repr()}});
        box->clear();
        Coro<bool> wf = wait_for(sem.acquire(), seconds(1));
        bool v = co_await std::move(wf);
        trace("no_hang.acquire", {{"value", v}});
    }
    {  // test_acquire_fifo_order
        Semaphore sem(1);
        Coro<void> c = async_with(TaskGroup(), &sf_tg_body, sem);
        co_await std::move(c);
        trace("end", {{"sem", sem.repr()}});
    }
}

// ---- heldout_condition_cancel ----

Coro<bool> cc_cw(Condition cond, std::string tag) {
    {
        Coro<bool> a = cond.acquire();
        co_await std::move(a);
    }
    trace("cw.wait", {{"tag", tag}});
    Coro<bool> w = cond.wait();
    if (co_await std::move(w)) {
        trace("cw.woke", {{"tag", tag}, {"locked", cond.locked()}});
        cond.release();
    }
    co_return true;
}

Coro<void> cc_woc_body(Condition& cond) {
    trace("woc.waiting");
    Coro<bool> w = cond.wait();
    co_await std::move(w);
    trace("woc.unreached");
}

Coro<void> cc_wait_on_cond(Condition cond) {
    std::exception_ptr cancelled;
    try {
        Coro<void> c = async_with(cond, &cc_woc_body);
        co_await std::move(c);
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    if (cancelled) {
        trace("woc.cancelled", {{"exc", cancelled}, {"locked", cond.locked()}});
        std::rethrow_exception(cancelled);
    }
}

Coro<void> cc_timeout_body(Condition& cond) {
    try {
        Coro<bool> wf = wait_for(cond.wait(), millis(500));
        co_await std::move(wf);
    } catch (const TimeoutError&) {
        trace("timeout", {{"exc", std::current_exception()}, {"locked", cond.locked()}});
    }
}

Coro<void> cc_lock_body(Lock&, Condition cond) {
    trace("explicit", {{"cond_locked", cond.locked()}});
    co_return;
}

Coro<void> cc_cond_body(Condition&, Lock lock) {
    trace("explicit", {{"lock_locked", lock.locked()}});
    co_return;
}

Coro<void> heldout_condition_cancel() {
    Loop& loop = running_loop();
    {  // test_wait / test_notify
        Condition cond;
        std::vector<Task<bool>> ts;
        for (int i : {1, 2, 3}) ts.push_back(create_task(cc_cw(cond, "c" + std::to_string(i))));
        co_await sleep(0);
        trace("waiting", {{"cond", cond.repr()}});
        {
            Coro<bool> a = cond.acquire();
            co_await std::move(a);
        }
        cond.notify();
        trace("notified", {{"n", 1}, {"cond", cond.repr()}});
        co_await sleep(0);
        trace("still.held", {{"locked", cond.locked()}});
        cond.release();
        co_await sleep(0);
        {
            Coro<bool> a = cond.acquire();
            co_await std::move(a);
        }
        cond.notify(1);
        cond.notify(2048);
        trace("notified", {{"n", 2048}, {"cond", cond.repr()}});
        cond.release();
        co_await sleep(0);
        std::vector<bool> results;
        for (auto& t : ts) results.push_back(t.result());
        trace("results", {{"results", results}, {"cond", cond.repr()}});
    }
    {  // test_wait_cancel
        Condition cond;
        {
            Coro<bool> a = cond.acquire();
            co_await std::move(a);
        }
        Task<bool> wait = create_task(cond.wait());
        loop.call_soon([wait]() mutable { wait.cancel(); }, "wait.cancel()");
        try {
            co_await wait;
        } catch (const CancelledError&) {
            trace("wait_cancel", {{"exc", std::current_exception()}, {"locked", cond.locked()}, {"cond", cond.repr()}});
        }
        cond.release();
    }
    {  // test_wait_cancel_contested
        Condition cond;
        {
            Coro<bool> a = cond.acquire();
            co_await std::move(a);
        }
        Task<bool> wait_task = create_task(cond.wait());
        co_await sleep(0);
        trace("contested.waiting", {{"locked", cond.locked()}});
        {
            Coro<bool> a = cond.acquire();
            co_await std::move(a);
        }
        cond.notify();
        loop.call_soon([wait_task]() mutable { wait_task.cancel(); }, "wait_task.cancel()");
        loop.call_soon([cond] { cond.release(); }, "cond.release()");
        try {
            bool v = co_await wait_task;
            trace("contested.result", {{"value", v}});
        } catch (const CancelledError&) {
            trace("contested.cancelled", {{"exc", std::current_exception()}});
        }
        trace("contested", {{"locked", cond.locked()}, {"cond", cond.repr()}});
        cond.release();
    }
    {  // test_wait_cancel_after_notify
        Condition cond;
        Task<void> waiter = create_task(cc_wait_on_cond(cond));
        co_await sleep(0);
        {
            Coro<bool> a = cond.acquire();
            co_await std::move(a);
        }
        cond.notify();
        co_await sleep(0);
        waiter.cancel();
        co_await sleep(0);
        cond.release();
        co_await sleep(0);
        trace("after_notify", {{"cancelled", waiter.cancelled()}, {"locked", cond.locked()}});
    }
    {  // test_timeout_in_block
        Condition cond;
        Coro<void> c = async_with(cond, &cc_timeout_body);
        co_await std::move(c);
        trace("timeout.after", {{"locked", cond.locked()}});
    }
    {  // test_wait_unacquired / test_notify_unacquired
        Condition cond;
        try {
            Coro<bool> w = cond.wait();
            co_await std::move(w);
        } catch (const RuntimeError&) {
            trace("unacquired", {{"exc", std::current_exception()}});
        }
        try {
            cond.notify();
        } catch (const RuntimeError&) {
            trace("unacquired", {{"exc", std::current_exception()}});
        }
        try {
            cond.notify_all();
        } catch (const RuntimeError&) {
            trace("unacquired", {{"exc", std::current_exception()}});
        }
    }
    {  // test_explicit_lock
        Lock lock;
        Condition cond(lock);
        {
            Coro<void> c = async_with(lock, &cc_lock_body, cond);
            co_await std::move(c);
        }
        {
            Coro<void> c = async_with(cond, &cc_cond_body, lock);
            co_await std::move(c);
        }
        trace("explicit", {{"cond_locked", cond.locked()}, {"lock_locked", lock.locked()}});
    }
}

}  // namespace

void register_conf_heldout_sync(Registry& reg) {
    reg.add({"heldout_lock_races", "runtime",
             "held-out (test_locks Lock/Event races): release vs cancel, cancelled first waiter", {},
             [](const Context&) { return heldout_lock_races(); }});
    reg.add({"heldout_semaphore_fairness", "runtime",
             "held-out (test_locks Semaphore): FIFO fairness, cancelled acquirers lose no unit", {},
             [](const Context&) { return heldout_semaphore_fairness(); }});
    reg.add({"heldout_condition_cancel", "runtime",
             "held-out (test_locks Condition): notify order, wait() cancelled at each stage", {},
             [](const Context&) { return heldout_condition_cancel(); }});
}

}  // namespace corosim::scenarios
