// conf_heldout_queue.cpp: twins of the held-out Queue and contextvars conformance programs
// (tests/conformance/programs/heldout_{queue_putters,context_tokens}.py), adapted from tests of
// CPython 3.12's Lib/test/test_asyncio/test_queues.py, Lib/test/test_context.py and
// Lib/test/test_asyncio/test_context.py.
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

// ---- heldout_queue_putters ----
// The Python queues hold strings ('a', 'b', 'X') in two sections and ints elsewhere; their
// str() quotes strings, so those sections use Queue<std::string>.

template <class T>
Coro<void> qp_putter(Queue<T> q, T item) {
    std::exception_ptr cancelled;
    try {
        Coro<void> p = q.put(item);
        co_await std::move(p);
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    if (cancelled) {
        trace("put.cancelled", {{"item", item}});
        std::rethrow_exception(cancelled);
    }
    trace("put.done", {{"item", item}});
}

Coro<void> qp_getter(Queue<int> q) {
    co_await sleep(0);
    const std::size_t num = q.qsize();
    for (std::size_t i = 0; i < num; ++i) trace("drained", {{"item", q.get_nowait()}});
}

Coro<void> qp_tg_body(TaskGroup& tg, Queue<int> q) {
    (void)tg.create_task(qp_getter(q));
    for (int i = 0; i < 4; ++i) (void)tg.create_task(qp_putter(q, i));
    co_return;
}

Coro<void> heldout_queue_putters() {
    Loop& loop = running_loop();
    {  // test_get_with_waiting_putters
        Queue<std::string> q(1);
        (void)create_task(qp_putter<std::string>(q, "a"));
        (void)create_task(qp_putter<std::string>(q, "b"));
        for (int i = 0; i < 2; ++i) {
            Coro<std::string> g = q.get();
            std::string item = co_await std::move(g);
            trace("got", {{"item", item}});
        }
    }
    {  // test_put_cancel_drop
        Queue<int> q(1);
        q.put_nowait(1);
        Task<void> writer = create_task(qp_putter(q, 2));
        co_await sleep(0);
        trace("get_nowait", {{"item", q.get_nowait()}});
        writer.cancel();
        bool cancelled = false;
        try {
            co_await writer;
        } catch (const CancelledError&) {
            cancelled = true;
        }
        if (cancelled) {  // the except handler awaits: outside the C++ catch
            trace("writer.cancelled", {{"q", q.repr()}});
            writer = create_task(qp_putter(q, 2));
            co_await writer;
        }
        int item = q.get_nowait();
        trace("drop", {{"item", item}, {"size", q.qsize()}});
    }
    {  // test_put_cancelled_race
        Queue<std::string> q(1);
        Task<void> put_a = create_task(qp_putter<std::string>(q, "a"));
        Task<void> put_b = create_task(qp_putter<std::string>(q, "b"));
        Task<void> put_c = create_task(qp_putter<std::string>(q, "X"));
        co_await sleep(0);
        trace("race", {{"a_done", put_a.done()}, {"b_done", put_b.done()}, {"q", q.repr()}});
        put_c.cancel();
        co_await sleep(0);
        std::string a = q.get_nowait();
        trace("race.c", {{"done", put_c.done()}, {"item", a}});
        co_await sleep(0);
        std::string b = q.get_nowait();
        trace("race.b", {{"item", b}});
        co_await put_b;
    }
    {  // test_cancelled_put_silence_value_error_exception
        Queue<int> q(1);
        q.put_nowait(1);
        Task<void> put_task = create_task(qp_putter(q, 1));
        co_await sleep(0);
        (void)q.get_nowait();
        put_task.cancel();
        try {
            co_await put_task;
        } catch (const CancelledError&) {
            trace("silenced", {{"cancelled", put_task.cancelled()}, {"q", q.repr()}});
        }
    }
    {  // test_cancelled_puts_not_being_held_in_self_putters
        Queue<int> q(1);
        q.put_nowait(1);
        Task<void> put_task = create_task(qp_putter(q, 1));
        co_await sleep(0);
        trace("held", {{"q", q.repr()}});
        put_task.cancel();
        try {
            co_await put_task;
        } catch (const CancelledError&) {
            trace("not_held", {{"q", q.repr()}});
        }
    }
    {  // test_get_cancel_drop_one_pending_reader
        Queue<int> q;
        Task<int> reader = create_task(q.get());
        co_await sleep(0);
        q.put_nowait(1);
        q.put_nowait(2);
        reader.cancel();
        bool cancelled = false;
        try {
            co_await reader;
        } catch (const CancelledError&) {
            cancelled = true;
        }
        if (cancelled) {
            trace("reader.cancelled", {{"q", q.repr()}});
            reader = create_task(q.get());
            co_await reader;
        }
        int result = reader.result();
        trace("reader", {{"result", result}, {"q", q.repr()}});
    }
    {  // test_why_are_putters_waiting
        Queue<int> q(2);
        Coro<void> c = async_with(TaskGroup(), &qp_tg_body, q);
        co_await std::move(c);
        trace("putters", {{"q", q.repr()}});
    }
    {  // test_blocking_put_wait
        Queue<int> q(1);
        q.put_nowait(0);
        loop.call_later(millis(500), [q] { (void)q.get_nowait(); }, "get_nowait()");
        Coro<void> p = qp_putter(q, 1);
        co_await std::move(p);
        trace("blocking_put", {{"q", q.repr()}});
    }
    {  // test_cancelled_getters_not_being_held_in_self_getters
        Queue<int> q(5);
        try {
            Coro<int> wf = wait_for(q.get(), seconds(1));
            co_await std::move(wf);
        } catch (const TimeoutError&) {
            trace("get.timeout", {{"exc", std::current_exception()}, {"q", q.repr()}});
        }
    }
}

// ---- heldout_context_tokens ----

// Module-level variables, as in the Python program.
const ContextVar<std::string> ct_c("c");
const ContextVar<std::string> ct_v1("v1");
const ContextVar<std::string> ct_v2("v2");
const ContextVar<std::int64_t> ct_prec("prec", std::int64_t{28});

// var.get(None)
std::optional<std::string> get_or_none(const ContextVar<std::string>& var) {
    try {
        return var.get();
    } catch (const LookupError&) {
        return std::nullopt;
    }
}

Coro<ContextToken<std::string>> ct_setter() {
    ContextToken<std::string> tok = ct_c.set("task");
    trace("task.set", {{"value", ct_c.get()}});
    co_return tok;
}

Coro<std::vector<std::int64_t>> ct_fractions(Nanos t, std::int64_t precision, std::string tag) {
    const ContextToken<std::int64_t> tok = ct_prec.set(precision);
    std::exception_ptr err;
    std::vector<std::int64_t> out;
    try {
        const std::int64_t a = ct_prec.get();
        co_await sleep(t);
        const std::int64_t b = ct_prec.get();
        trace("fractions", {{"tag", tag}, {"a", a}, {"b", b}});
        out = {a, b};
    } catch (...) {
        err = std::current_exception();
    }
    ct_prec.reset(tok);  // finally
    if (err) std::rethrow_exception(err);
    co_return out;
}

Coro<void> heldout_context_tokens() {
    // test_context_getset_1
    try {
        (void)ct_c.get();
    } catch (const LookupError&) {
        trace("lookup", {{"exc", std::current_exception()}});
    }
    trace("get.none", {{"value", get_or_none(ct_c)}});
    const ContextToken<std::string> t0 = ct_c.set("42");
    trace("set", {{"value", ct_c.get()}, {"old_missing", !t0.old_value.has_value()}, {"same_var", t0.var == &ct_c}});
    const ContextToken<std::string> t = ct_c.set("spam");
    trace("set", {{"value", ct_c.get()}, {"old", t.old_value.value_or("<MISSING>")}});
    ct_c.reset(t);
    trace("reset", {{"value", ct_c.get()}});
    ct_c.set("spam2");
    try {
        ct_c.reset(t);
    } catch (const RuntimeError&) {
        trace("reset.again", {{"exc", std::current_exception()}});
    }
    trace("after", {{"value", ct_c.get()}});
    const corosim::Context ctx1 = copy_context();
    ct_c.reset(t0);
    try {
        ct_c.reset(t0);
    } catch (const RuntimeError&) {
        trace("reset.again", {{"exc", std::current_exception()}});
    }
    trace("after", {{"value", get_or_none(ct_c)}, {"ctx1", ctx1[ct_c]}});
    const corosim::Context ctx2 = copy_context();
    try {
        (void)ctx2[ct_c];
    } catch (const KeyError&) {
        trace("ctx2", {{"exc", std::current_exception()}});
    }

    // test_context_getset_2
    const ContextToken<std::string> t1 = ct_v1.set("42");
    try {
        ct_v2.reset(t1);
    } catch (const ValueError&) {
        trace("other.var", {{"exc", std::current_exception()}});
    }

    // test_context_getset_4, with a task's context
    Task<ContextToken<std::string>> st = create_task(ct_setter());
    ContextToken<std::string> tok = co_await st;
    try {
        ct_c.reset(tok);
    } catch (const ValueError&) {
        trace("other.ctx", {{"exc", std::current_exception()}});
    }
    trace("main.sees", {{"value", get_or_none(ct_c)}});

    // DecimalContextTest.test_asyncio_task_decimal_context: gather wraps each coroutine in a
    // task, in argument order.
    std::vector<Task<std::vector<std::int64_t>>> fs{create_task(ct_fractions(seconds(1), 3, "r1")),
                                                    create_task(ct_fractions(seconds(2), 6, "r2"))};
    auto g = gather(fs);
    std::vector<std::vector<std::int64_t>> rs = co_await g;
    trace("gathered", {{"r1", rs[0]}, {"r2", rs[1]}, {"prec", ct_prec.get()}});
}

}  // namespace

void register_conf_heldout_queue(Registry& reg) {
    reg.add({"heldout_queue_putters", "runtime",
             "held-out (test_queues put/get races): cancelled putters and getters lose nothing", {},
             [](const Context&) { return heldout_queue_putters(); }});
    reg.add({"heldout_context_tokens", "runtime",
             "held-out (test_context getset_1/2/4, decimal context): tokens, per-task contexts", {},
             [](const Context&) { return heldout_context_tokens(); }});
}

}  // namespace corosim::scenarios
