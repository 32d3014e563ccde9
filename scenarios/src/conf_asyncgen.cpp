// conf_asyncgen.cpp: twins of the async generator conformance programs
// (tests/conformance/programs/asyncgen_*.py).
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

// ---- asyncgen_basic ----

AsyncGen<std::int64_t> count(std::int64_t n) {
    trace("count.start", {{"n", n}});
    for (std::int64_t i = 0; i < n; ++i) {
        co_yield i;
        co_await sleep(seconds(1));
    }
    trace("count.return");
}

AsyncGen<std::string> echo() {
    std::optional<std::string> got = co_yield std::string("ready");
    while (got) {
        trace("echo.got", {{"got", *got}});
        got = co_yield std::string(*got + "0");
    }
    trace("echo.end");
}

Coro<void> asyncgen_basic() {
    {
        AsyncGen<std::int64_t> g = count(2);
        trace("created");
        while (auto v = co_await g.next()) trace("item", {{"v", *v}});
        try {
            (void)co_await g.anext();
        } catch (const StopAsyncIteration&) {
            trace("exhausted", {{"exc", std::current_exception()}});
        }
        std::optional<std::int64_t> d = co_await g.next();
        trace("default", {{"value", d ? std::to_string(*d) : std::string("dflt")}});
    }
    trace("freed");
    {
        AsyncGen<std::string> g = echo();
        auto a = g.anext();
        trace("awaitable.made");
        std::string first = co_await a;
        trace("first", {{"value", first}});
        std::string s1 = co_await g.asend(std::string("1"));
        trace("sent", {{"value", s1}});
        std::string s2 = co_await g.asend(std::string("2"));
        trace("sent", {{"value", s2}});
        try {
            (void)co_await g.asend(std::nullopt);
        } catch (const StopAsyncIteration&) {
            trace("stopped", {{"exc", std::current_exception()}});
        }
    }
    {
        AsyncGen<std::string> g = echo();
        try {
            (void)co_await g.asend(std::string("5"));
        } catch (const TypeError&) {
            trace("asend.early", {{"exc", std::current_exception()}});
        }
    }
    trace("freed.early");
    co_await sleep(0);
    trace("end");
}

// ---- asyncgen_athrow_aclose ----

AsyncGen<std::int64_t> aa_gen(std::string tag) {
    std::exception_ptr err;
    try {
        trace("gen.start", {{"tag", tag}});
        std::exception_ptr key;
        try {
            co_yield std::int64_t{1};
        } catch (const KeyError&) {
            key = std::current_exception();
        }
        if (key) {
            trace("gen.caught", {{"tag", tag}, {"exc", key}});
            co_yield std::int64_t{2};
        }
        co_yield std::int64_t{3};
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally", {{"tag", tag}});
    co_await sleep(seconds(1));
    trace("gen.finally.end", {{"tag", tag}});
    if (err) std::rethrow_exception(err);
}

Coro<void> asyncgen_athrow_aclose() {
    {
        AsyncGen<std::int64_t> g = aa_gen("a").qualname("gen");
        std::int64_t v = co_await g.anext();
        trace("next", {{"value", v}});
        std::optional<std::int64_t> t = co_await g.athrow(std::make_exception_ptr(KeyError("k")));
        trace("athrow", {{"value", *t}});
        try {
            (void)co_await g.athrow(std::make_exception_ptr(ValueError("v")));
        } catch (const ValueError&) {
            trace("athrow.escaped", {{"exc", std::current_exception()}});
        }
        try {
            (void)co_await g.anext();
        } catch (const StopAsyncIteration&) {
            trace("after.escape", {{"exc", std::current_exception()}});
        }
    }
    {
        AsyncGen<std::int64_t> g = aa_gen("b").qualname("gen");
        std::int64_t v = co_await g.anext();
        trace("next", {{"value", v}});
        auto closer = g.aclose();
        co_await closer;
        trace("aclose", {{"value", None}});
        co_await g.aclose();
        trace("aclose.again", {{"value", None}});
        try {
            co_await closer;
        } catch (const RuntimeError&) {
            trace("aclose.reuse", {{"exc", std::current_exception()}});
        }
    }
    {
        AsyncGen<std::int64_t> g = aa_gen("c").qualname("gen");
        co_await g.aclose();
        trace("aclose.unstarted", {{"value", None}});
        std::optional<std::int64_t> d = co_await g.next();
        trace("next.unstarted", {{"value", d ? std::to_string(*d) : std::string("exhausted")}});
    }
}

// ---- asyncgen_ignored_exit ----

AsyncGen<std::int64_t> ie_gen() {
    std::exception_ptr err;
    try {
        co_yield std::int64_t{1};
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally");
    co_await sleep(seconds(1));
    trace("gen.finally.yield");
    co_yield std::int64_t{2};
    trace("gen.after");
    if (err) std::rethrow_exception(err);
}

Coro<void> asyncgen_ignored_exit() {
    {
        AsyncGen<std::int64_t> g = ie_gen().qualname("gen");
        std::int64_t v = co_await g.anext();
        trace("next", {{"value", v}});
        try {
            co_await g.aclose();
        } catch (const RuntimeError&) {
            trace("aclose", {{"exc", std::current_exception()}});
        }
        try {
            std::int64_t w = co_await g.anext();
            trace("next.after", {{"value", w}});
        } catch (const BaseException&) {
            trace("next.after", {{"exc", std::current_exception()}});
        }
        co_await g.aclose();
        trace("aclose.again", {{"value", None}});
    }
    trace("freed");
}

// ---- asyncgen_already_running ----

AsyncGen<std::int64_t> ar_gen() {
    std::exception_ptr err;
    try {
        for (std::int64_t i = 0; i < 3; ++i) {
            trace("gen.slow", {{"i", i}});
            co_await sleep(seconds(1));
            co_yield i;
        }
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally");
    if (err) std::rethrow_exception(err);
}

Coro<void> ar_consumer(AsyncGen<std::int64_t> g) {
    std::int64_t v = co_await g.anext();
    trace("consumer.got", {{"value", v}});
}

Coro<void> asyncgen_already_running() {
    AsyncGen<std::int64_t> g = ar_gen().qualname("gen");
    Task<void> t = create_task(ar_consumer(g));
    co_await sleep(0);
    {
        auto aw = g.anext();
        trace("made", {{"how", "anext"}});
        try {
            (void)co_await aw;
        } catch (const RuntimeError&) {
            trace("refused", {{"how", "anext"}, {"exc", std::current_exception()}});
        }
    }
    {
        auto aw = g.asend(std::nullopt);
        trace("made", {{"how", "asend"}});
        try {
            (void)co_await aw;
        } catch (const RuntimeError&) {
            trace("refused", {{"how", "asend"}, {"exc", std::current_exception()}});
        }
    }
    {
        auto aw = g.athrow(std::make_exception_ptr(KeyError("k")));
        trace("made", {{"how", "athrow"}});
        try {
            (void)co_await aw;
        } catch (const RuntimeError&) {
            trace("refused", {{"how", "athrow"}, {"exc", std::current_exception()}});
        }
    }
    {
        auto aw = g.aclose();
        trace("made", {{"how", "aclose"}});
        try {
            co_await aw;
        } catch (const RuntimeError&) {
            trace("refused", {{"how", "aclose"}, {"exc", std::current_exception()}});
        }
    }
    co_await t;
    std::int64_t v = co_await g.anext();
    trace("main.got", {{"value", v}});
    co_await g.aclose();
    trace("end");
}

// ---- asyncgen_finalize ----

AsyncGen<std::int64_t> fz_gen() {
    std::exception_ptr err;
    try {
        for (std::int64_t i = 0; i < 10; ++i) co_yield i;
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally");
    co_await sleep(seconds(1));
    trace("gen.finally.end");
    if (err) std::rethrow_exception(err);
}

Coro<void> asyncgen_finalize() {
    {
        AsyncGen<std::int64_t> g = fz_gen().qualname("gen");
        while (auto v = co_await g.next()) {
            trace("item", {{"v", *v}});
            if (*v == 1) break;
        }
        trace("broke");
    }  // del g
    trace("dropped");
    for (std::int64_t n = 1; n < 4; ++n) {
        co_await sleep(0);
        trace("tick", {{"n", n}});
    }
    co_await sleep(seconds(2));
    trace("end");
}

// ---- asyncgen_shutdown ----

AsyncGen<std::string> sd_gen(std::string tag, Nanos delay) {
    std::exception_ptr err;
    try {
        co_yield tag;
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally", {{"tag", tag}});
    co_await sleep(delay);
    trace("gen.finally.end", {{"tag", tag}});
    if (tag == "a") throw ValueError(tag);
    if (err) std::rethrow_exception(err);
}

Coro<void> sd_sleeper() {
    std::exception_ptr err;
    try {
        co_await sleep(seconds(10));
    } catch (...) {
        err = std::current_exception();
    }
    trace("sleeper.finally");
    if (err) std::rethrow_exception(err);
}

Coro<void> asyncgen_shutdown() {
    AsyncGen<std::string> a = sd_gen("a", millis(500)).qualname("gen");
    AsyncGen<std::string> b = sd_gen("b", seconds(1)).qualname("gen");
    // KEEP (a module-level list): held by a far timer the loop discards at teardown, after
    // `gc label=end`, so main's return does not finalize them.
    std::vector<AsyncGen<std::string>> keep{a, b};
    running_loop().call_later(seconds(1'000'000), [keep] { (void)keep; });
    std::string vb = co_await b.anext();
    trace("next", {{"value", vb}});
    std::string va = co_await a.anext();
    trace("next", {{"value", va}});
    (void)create_task(sd_sleeper());
    co_await sleep(0);
    trace("main.end");
}

// ---- asyncgen_shutdown_explicit ----

AsyncGen<std::int64_t> se_gen(std::string tag) {
    std::exception_ptr err;
    try {
        co_yield std::int64_t{1};
        co_yield std::int64_t{2};
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally", {{"tag", tag}});
    if (err) std::rethrow_exception(err);
}

AsyncGen<std::string> se_slow_gen() {
    std::exception_ptr err;
    try {
        co_await sleep(seconds(1));
        co_yield std::string("slow");
    } catch (...) {
        err = std::current_exception();
    }
    trace("slow_gen.finally");
    if (err) std::rethrow_exception(err);
}

Coro<std::string> se_next_of(AsyncGen<std::string> g) { co_return co_await g.anext(); }

Coro<void> asyncgen_shutdown_explicit() {
    // KEEP (a module-level list), held by a far timer the loop discards at teardown.
    auto keep = std::make_shared<std::vector<AsyncGen<std::int64_t>>>();
    running_loop().call_later(seconds(1'000'000), [keep] { (void)keep; });
    AsyncGen<std::int64_t> a = se_gen("a").qualname("gen");
    keep->push_back(a);
    const std::int64_t va = co_await a.anext();
    trace("next", {{"value", va}});
    co_await shutdown_asyncgens();
    trace("shutdown.first");
    co_await shutdown_asyncgens();
    trace("shutdown.second");
    AsyncGen<std::int64_t> b = se_gen("b").qualname("gen");
    keep->push_back(b);
    const std::int64_t vb = co_await b.anext();
    trace("next", {{"value", vb}});
    AsyncGen<std::string> c = se_slow_gen().qualname("slow_gen");
    Task<std::string> t = create_task(se_next_of(c));
    co_await sleep(0);
    co_await shutdown_asyncgens();
    trace("shutdown.third");
    const std::string vt = co_await t;
    trace("next", {{"value", vt}});
    try {
        (void)co_await c.anext();
    } catch (const StopAsyncIteration&) {
        trace("c.exhausted");
    }
    AsyncGen<std::int64_t> d = se_gen("d").qualname("gen");
    keep->push_back(d);
    const std::int64_t vd = co_await d.anext();
    trace("next", {{"value", vd}});
    trace("main.end");
}

// ---- asyncgen_aclose_interrupted ----

AsyncGen<std::int64_t> ai_gen(std::string tag, bool swallow) {
    std::exception_ptr err;
    try {
        co_yield std::int64_t{1};
        co_yield std::int64_t{2};
    } catch (...) {
        err = std::current_exception();
    }
    trace("gen.finally", {{"tag", tag}});
    std::exception_ptr cancelled;
    try {
        co_await sleep(seconds(1));
    } catch (const CancelledError&) {
        cancelled = std::current_exception();
    }
    if (cancelled) {
        trace("gen.finally.cancelled", {{"tag", tag}, {"exc", cancelled}});
        if (!swallow) std::rethrow_exception(cancelled);
    }
    trace("gen.finally.end", {{"tag", tag}});
    if (err) std::rethrow_exception(err);
}

Coro<void> ai_closer(AsyncGen<std::int64_t> g, std::string tag) {
    try {
        co_await g.aclose();
        trace("closer.returned", {{"tag", tag}});
    } catch (const CancelledError&) {
        trace("closer.cancelled", {{"tag", tag}, {"exc", std::current_exception()}});
        throw;
    }
}

Coro<void> ai_thrower(AsyncGen<std::int64_t> g, std::string tag) {
    try {
        (void)co_await g.athrow(std::make_exception_ptr(KeyError("k")));
    } catch (...) {
        trace("thrower.raised", {{"tag", tag}, {"exc", std::current_exception()}});
        throw;
    }
}

// Each of anext/asend/athrow/aclose/anext(g, 'dflt') once, tracing the value or the exception.
Coro<void> ai_probe(AsyncGen<std::int64_t> g, std::string tag) {
    try {
        const std::int64_t v = co_await g.anext();
        trace("probe.anext", {{"tag", tag}, {"value", v}});
    } catch (...) {
        trace("probe.anext", {{"tag", tag}, {"exc", std::current_exception()}});
    }
    try {
        const std::int64_t v = co_await g.asend(std::nullopt);
        trace("probe.asend", {{"tag", tag}, {"value", v}});
    } catch (...) {
        trace("probe.asend", {{"tag", tag}, {"exc", std::current_exception()}});
    }
    try {
        const std::optional<std::int64_t> v = co_await g.athrow(std::make_exception_ptr(ValueError("v")));
        trace("probe.athrow", {{"tag", tag}, {"value", v}});
    } catch (...) {
        trace("probe.athrow", {{"tag", tag}, {"exc", std::current_exception()}});
    }
    try {
        co_await g.aclose();
        trace("probe.aclose", {{"tag", tag}, {"value", None}});
    } catch (...) {
        trace("probe.aclose", {{"tag", tag}, {"exc", std::current_exception()}});
    }
    try {
        std::optional<std::int64_t> v;
        try {
            v = co_await g.anext();
        } catch (const StopAsyncIteration&) {
        }
        if (v) {
            trace("probe.anext.default", {{"tag", tag}, {"value", *v}});
        } else {
            trace("probe.anext.default", {{"tag", tag}, {"value", std::string("dflt")}});
        }
    } catch (...) {
        trace("probe.anext.default", {{"tag", tag}, {"exc", std::current_exception()}});
    }
}

Coro<void> ai_interrupt(AsyncGen<std::int64_t> g, std::string tag, bool athrow) {
    const std::int64_t first = co_await g.anext();
    trace("first", {{"tag", tag}, {"value", first}});
    Task<void> t = create_task(athrow ? ai_thrower(g, tag) : ai_closer(g, tag));
    co_await sleep(millis(500));
    t.cancel("stop");
    try {
        co_await t;
        trace("task.outcome", {{"tag", tag}, {"cancelled", t.cancelled()}});
    } catch (...) {
        trace("task.outcome", {{"tag", tag}, {"exc", std::current_exception()}, {"cancelled", t.cancelled()}});
    }
    co_await ai_probe(g, tag);
}

Coro<void> asyncgen_aclose_interrupted() {
    co_await ai_interrupt(ai_gen("escape", false).qualname("gen"), "escape", false);
    co_await ai_interrupt(ai_gen("swallow", true).qualname("gen"), "swallow", false);
    co_await ai_interrupt(ai_gen("athrow", false).qualname("gen"), "athrow", true);
    AsyncGen<std::int64_t> g = ai_gen("plain", false).qualname("gen");
    const std::int64_t first = co_await g.anext();
    trace("first", {{"tag", std::string("plain")}, {"value", first}});
    co_await g.aclose();
    co_await ai_probe(g, "plain");
}

// ---- asyncgen_aclose_task ----

AsyncGen<std::int64_t> act_gen(std::string tag) {
    try {
        co_yield std::int64_t{1};
        co_yield std::int64_t{2};
    } catch (...) {
        trace("gen.caught", {{"tag", tag}, {"exc", std::current_exception()}});
        trace("gen.finally", {{"tag", tag}});
        throw;
    }
    trace("gen.finally", {{"tag", tag}});
}

Coro<void> asyncgen_aclose_task() {
    for (const std::string tag : {"plain", "cancelled"}) {
        AsyncGen<std::int64_t> g = act_gen(tag).qualname("gen");
        const std::int64_t first = co_await g.anext();
        trace("first", {{"tag", tag}, {"value", first}});
        Task<void> t = create_task(g.aclose());
        if (tag == "cancelled") trace("cancel", {{"tag", tag}, {"ret", t.cancel()}});
        try {
            co_await t;
            trace("task.result", {{"tag", tag}, {"value", None}});
        } catch (...) {
            trace("task.caught", {{"tag", tag}, {"exc", std::current_exception()}});
        }
        trace("after", {{"tag", tag}, {"cancelled", t.cancelled()}});
        try {
            co_await g.anext();
        } catch (...) {
            trace("anext.after", {{"tag", tag}, {"exc", std::current_exception()}});
        }
    }
}

// ---- asyncgen_anext_task ----

AsyncGen<std::int64_t> ant_gen(std::string tag) {
    try {
        co_yield std::int64_t{1};
        std::exception_ptr caught;
        try {
            co_yield std::int64_t{2};
        } catch (const CancelledError&) {
            caught = std::current_exception();
            trace("gen.caught", {{"tag", tag}, {"exc", caught}});
        }
        // Python's `yield 20` then `raise` in the except clause (C++ cannot co_yield in a handler).
        if (caught) {
            co_yield std::int64_t{20};
            std::rethrow_exception(caught);
        }
        co_yield std::int64_t{3};
    } catch (...) {
        trace("gen.finally", {{"tag", tag}});
        throw;
    }
    trace("gen.finally", {{"tag", tag}});
}

Coro<void> asyncgen_anext_task() {
    struct Case {
        const char* tag;
        int before;  // anext() calls before the task; -1: exhausted first
        bool cancel;
    };
    for (const Case c : {Case{"plain", 1, false}, Case{"unstarted", 0, true}, Case{"at_first_yield", 1, true},
                         Case{"caught", 2, true}, Case{"exhausted", -1, false}, Case{"exhausted_cancelled", -1, true}}) {
        const std::string tag = c.tag;
        AsyncGen<std::int64_t> g = ant_gen(tag).qualname("gen");
        if (c.before < 0) {
            while (co_await g.next()) {
            }
        }
        for (int i = 0; i < c.before; ++i) {
            const std::int64_t v = co_await g.anext();
            trace("before", {{"tag", tag}, {"value", v}});
        }
        Task<std::int64_t> t = create_task(g.anext());
        if (c.cancel) trace("cancel", {{"tag", tag}, {"ret", t.cancel()}});
        try {
            const std::int64_t v = co_await t;
            trace("task.result", {{"tag", tag}, {"value", v}});
        } catch (...) {
            trace("task.caught", {{"tag", tag}, {"exc", std::current_exception()}});
        }
        trace("after", {{"tag", tag}, {"cancelled", t.cancelled()}});
        try {
            const std::int64_t v = co_await g.anext();
            trace("anext.after", {{"tag", tag}, {"value", v}});
        } catch (...) {
            trace("anext.after", {{"tag", tag}, {"exc", std::current_exception()}});
        }
        co_await g.aclose();
    }
}

}  // namespace

void register_conf_asyncgen(Registry& reg) {
    reg.add({"asyncgen_basic", "asyncgen_cleanup", "async for, anext with and without default, asend, StopAsyncIteration",
             {},
             [](const Context&) { return asyncgen_basic(); }});
    reg.add({"asyncgen_athrow_aclose", "asyncgen_cleanup",
             "athrow caught and uncaught, aclose with an awaiting finally, reused aclose awaitable", {},
             [](const Context&) { return asyncgen_athrow_aclose(); }});
    reg.add({"asyncgen_ignored_exit", "asyncgen_cleanup",
             "a generator yielding while closed: RuntimeError, then anext resumes it", {},
             [](const Context&) { return asyncgen_ignored_exit(); }});
    reg.add({"asyncgen_already_running", "asyncgen_cleanup",
             "anext/asend/athrow/aclose refused while another task drives the generator", {},
             [](const Context&) { return asyncgen_already_running(); }});
    reg.add({"asyncgen_finalize", "asyncgen_cleanup",
             "a generator dropped mid-iteration: finalizer hook, aclose task runs its finally", {},
             [](const Context&) { return asyncgen_finalize(); }});
    reg.add({"asyncgen_shutdown", "asyncgen_cleanup",
             "generators left open at the end: shutdown_asyncgens closes them, errors reported", {},
             [](const Context&) { return asyncgen_shutdown(); }});
    reg.add({"asyncgen_shutdown_explicit", "asyncgen_cleanup",
             "loop.shutdown_asyncgens() called by main: twice, then with a generator running in another task", {},
             [](const Context&) { return asyncgen_shutdown_explicit(); }});
    reg.add({"asyncgen_aclose_task", "asyncgen_cleanup",
             "a task wrapping g.aclose() itself: cancelled before its first step, the cancel reaches the generator", {},
             [](const Context&) { return asyncgen_aclose_task(); }});
    reg.add({"asyncgen_anext_task", "asyncgen_cleanup",
             "a task wrapping anext(g) itself: a cancel before its first step is thrown into the generator", {},
             [](const Context&) { return asyncgen_anext_task(); }});
    reg.add({"asyncgen_aclose_interrupted", "asyncgen_cleanup",
             "aclose() interrupted by a cancel: 3.12 leaves the generator marked running, anext() refused", {},
             [](const Context&) { return asyncgen_aclose_interrupted(); }});
}

}  // namespace corosim::scenarios
