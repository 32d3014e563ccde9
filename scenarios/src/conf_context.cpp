// conf_context.cpp: twin of tests/conformance/programs/contextvars_basic.py.
#include <string>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

// Module-level variables, as in the Python program.
const ContextVar<std::string> var("var", std::string("dflt"));
const ContextVar<std::string> bare("bare");

Coro<void> child(std::string tag) {
    trace("child.sees", {{"tag", tag}, {"var", var.get()}});
    var.set(tag);
    co_await sleep(seconds(1));
    trace("child.after", {{"tag", tag}, {"var", var.get()}});
}

Coro<void> contextvars_basic() {
    trace("get", {{"var", var.get()}, {"fallback", bare.get("fb")}});
    try {
        (void)bare.get();
    } catch (const LookupError&) {
        trace("bare", {{"exc", std::current_exception()}});
    }
    const auto tok = var.set("one");
    trace("set", {{"var", var.get()}, {"old_missing", !tok.old_value.has_value()}});
    Task<void> t1 = create_task(child("c1"));
    var.set("two");
    Task<void> t2 = create_task(child("c2"));
    const corosim::Context ctx = copy_context();
    Task<void> t3 = create_task(child("c3"), {}, ctx);
    co_await sleep(0);
    trace("parent", {{"var", var.get()}});
    Future<std::vector<NoneType>> all = gather(std::vector<Task<void>>{t1, t2, t3});
    co_await all;
    trace("parent.after", {{"var", var.get()}, {"ctx", ctx[var]}});
    var.reset(tok);
    trace("reset", {{"var", var.get()}});
}

}  // namespace

void register_conf_context(Registry& reg) {
    reg.add({"contextvars_basic", "runtime", "ContextVar get/set/reset; a task copies its creator's context",
             {},
             [](const Context&) { return contextvars_basic(); }});
}

}  // namespace corosim::scenarios
