// conf_coro_by_hand.cpp: conformance twin (see tests/conformance/programs/coro_by_hand.py) of the
// program driving coroutines by hand (SEMANTICS A2-A7): Coro::send, throw_in and close in every
// state, the finaliser of a suspended one, awaiting a future outside any task.
#include <optional>
#include <string>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

template <class T>
const char* state(const Coro<T>& c) {
    return coroutine_state_name(c.state());
}

// The value send() returned: None for a bare yield (only those are traced here).
template <class T>
NoneType yielded(const Sent<T>&) {
    return None;
}

Coro<std::string> simple(std::string tag) {
    trace("simple.start", {{"tag", tag}});
    co_await sleep(0);
    trace("simple.resumed", {{"tag", tag}});
    co_return tag + "-value";
}

Coro<std::string> catcher() {
    try {
        co_await sleep(0);
    } catch (const KeyError&) {
        trace("catcher.caught", {{"exc", std::current_exception()}});
    }
    co_await sleep(0);
    co_return "caught";
}

Coro<void> cleanup(std::string tag) {
    try {
        trace("cleanup.start", {{"tag", tag}});
        co_await sleep(0);
        trace("cleanup.resumed", {{"tag", tag}});
    } catch (...) {
        trace("cleanup.finally", {{"tag", tag}});
        throw;
    }
    trace("cleanup.finally", {{"tag", tag}});
}

// try: await sleep(0) finally: (awaits again)
Coro<void> ignorer(std::string tag) {
    std::exception_ptr err;
    try {
        co_await sleep(0);
    } catch (...) {
        err = std::current_exception();
    }
    trace("ignorer.finally", {{"tag", tag}});
    co_await sleep(0);
    trace("ignorer.after", {{"tag", tag}});
    if (err) std::rethrow_exception(err);
}

Coro<void> raiser() {
    try {
        co_await sleep(0);
    } catch (const GeneratorExit&) {
        throw ValueError("in close");
    }
}

Coro<int> waits(Future<int> fut) {
    try {
        co_return co_await fut;
    } catch (const RuntimeError&) {
        trace("waits.error", {{"exc", std::current_exception()}});
        throw;
    }
}

Coro<void> coro_by_hand() {
    {
        Coro<std::string> c = simple("a");
        try {
            (void)c.send(1);
        } catch (const TypeError&) {
            trace("send.early", {{"exc", std::current_exception()}, {"state", state(c)}});
        }
        Sent<std::string> s = c.send();
        trace("send.first", {{"yielded", yielded(s)}, {"state", state(c)}});
        s = c.send();
        if (s.done) trace("send.done", {{"value", *s.value}, {"state", state(c)}});
        try {
            (void)c.send();
        } catch (const RuntimeError&) {
            trace("send.finished", {{"exc", std::current_exception()}});
        }
        try {
            (void)c.throw_in(std::make_exception_ptr(ValueError("late")));
        } catch (const RuntimeError&) {
            trace("throw.finished", {{"exc", std::current_exception()}});
        }
        c.close();
        trace("close.finished", {{"state", state(c)}});

        c = simple("b");
        try {
            (void)c.throw_in(std::make_exception_ptr(KeyError("early")));
        } catch (const KeyError&) {
            trace("throw.early", {{"exc", std::current_exception()}, {"state", state(c)}});
        }
        c = simple("c");
        c.close();
        trace("close.early", {{"state", state(c)}});
        try {
            (void)c.send();
        } catch (const RuntimeError&) {
            trace("send.after_close", {{"exc", std::current_exception()}});
        }

        c = catcher();
        (void)c.send();
        s = c.throw_in(std::make_exception_ptr(KeyError("k")));
        trace("throw.caught", {{"yielded", yielded(s)}, {"state", state(c)}});
        s = c.send();
        if (s.done) trace("catcher.done", {{"value", *s.value}});
        c = simple("d");
        (void)c.send();
        try {
            (void)c.throw_in(std::make_exception_ptr(ValueError("in")));
        } catch (const ValueError&) {
            trace("throw.escaped", {{"exc", std::current_exception()}, {"state", state(c)}});
        }
    }
    {
        Coro<void> c = cleanup("e");
        (void)c.send();
        c.close();
        trace("close.suspended", {{"state", state(c)}});
        c = raiser();
        (void)c.send();
        try {
            c.close();
        } catch (const ValueError&) {
            trace("close.raised", {{"exc", std::current_exception()}, {"state", state(c)}});
        }
        c = ignorer("f");
        (void)c.send();
        try {
            c.close();
        } catch (const RuntimeError&) {
            trace("close.ignored", {{"exc", std::current_exception()}, {"state", state(c)}});
        }
        c.close();
        trace("close.again", {{"state", state(c)}});
    }
    {
        Future<int> fut;
        Coro<int> c = waits(fut);
        Sent<int> s = c.send();
        trace("future.yielded", {{"same", s.yielded == fut.state()}, {"state", state(c)}});
        fut.set_result(5);
        s = c.send();
        if (s.done) trace("future.value", {{"value", *s.value}});
        c = waits(Future<int>());
        (void)c.send();
        try {
            (void)c.send();
        } catch (const RuntimeError&) {
            trace("future.early", {{"exc", std::current_exception()}, {"state", state(c)}});
        }
    }
    {
        Coro<void> c = cleanup("g");
        (void)c.send();
        trace("drop.cleanup");
    }
    {
        Coro<void> c = ignorer("h");
        (void)c.send();
        trace("drop.ignorer");
    }
    {
        Coro<std::string> c = simple("i");
        try {
            (void)c.send(std::string("x"));
        } catch (const TypeError&) {
        }
        trace("drop.created");
    }
    trace("end");
    co_return;
}

}  // namespace

void register_conf_coro_by_hand(Registry& reg) {
    reg.add({"coro_by_hand", "runtime",
             "send/throw_in/close on a Coro in every state, finalising a suspended one, futures by hand", {},
             [](const Context&) { return coro_by_hand(); }});
}

}  // namespace corosim::scenarios
