// conf_asyncgen.cpp: twins of the async generator conformance programs
// (tests/conformance/programs/asyncgen_*.py).
#include <string>

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

}  // namespace

void register_conf_asyncgen(Registry& reg) {
    reg.add({"asyncgen_basic", "asyncgen_cleanup", "async for, anext with and without default, asend, StopAsyncIteration",
             {},
             [](const Context&) { return asyncgen_basic(); }});
}

}  // namespace corosim::scenarios
