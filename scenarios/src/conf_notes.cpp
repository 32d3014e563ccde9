// conf_notes.cpp: conformance twin (see tests/conformance/programs/exception_notes.py) of the
// exception notes program (PEP 678; SEMANTICS E2, E4, E7): add_note, __notes__, what split,
// subgroup, derive and except* do with them, notes through awaits and a TaskGroup.
#include <optional>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

template <class E>
std::exception_ptr ep(E e) {
    return std::make_exception_ptr(std::move(e));
}

// getattr(e, '__notes__', None)
std::optional<std::vector<std::string>> notes(const std::exception_ptr& e) { return as_base(e)->notes(); }

Coro<void> en_fail(std::string tag) {
    co_await sleep(0);
    ValueError e(tag);
    e.add_note("raised by " + tag);
    throw e;
}

Coro<void> en_relay() {
    try {
        co_await en_fail("relay");
    } catch (ValueError& e) {
        e.add_note("passed through relay");
        throw;
    }
}

Coro<void> en_group_body(TaskGroup& tg) {
    (void)tg.create_task(en_fail("t1"));
    (void)tg.create_task(en_fail("t2"));
    co_return;
}

Coro<void> exception_notes() {
    std::exception_ptr e = ep(ValueError("x"));
    trace("fresh", {{"notes", notes(e)}});
    as_base(e)->add_note("first");
    as_base(e)->add_note("second");
    trace("added", {{"exc", e}, {"notes", notes(e)}});

    std::exception_ptr a = ep(ValueError("a"));
    as_base(a)->add_note("leaf a");
    std::exception_ptr g = ep(ExceptionGroup("eg", {a, ep(TypeError("b")), ep(ExceptionGroup("inner", {ep(ValueError("c"))}))}));
    as_base(g)->add_note("group note");
    auto [m, r] = split(g, instance_of<ValueError>());
    trace("split", {{"match", m}, {"match_notes", notes(m)}, {"rest", r}, {"rest_notes", notes(r)}});
    trace("split.inner", {{"notes", notes(as_group(m)->exceptions()[1])}, {"leaf", notes(as_group(m)->exceptions()[0])}});
    as_base(m)->add_note("match only");
    trace("split.independent", {{"orig", notes(g)}, {"match", notes(m)}, {"rest", notes(r)}});
    auto [whole, none] = split(g, instance_of<Exception>());
    trace("split.whole", {{"same", whole == g}, {"rest", none}});
    std::exception_ptr sg = subgroup(g, instance_of<TypeError>());
    trace("subgroup", {{"exc", sg}, {"notes", notes(sg)}});
    std::exception_ptr d = derive(g, {ep(ValueError("d"))});
    trace("derive", {{"exc", d}, {"notes", notes(d)}});

    try {
        except_star(g, {on<TypeError>([](const std::exception_ptr& caught) {
                        as_base(caught)->add_note("seen by handler");
                        trace("star.caught", {{"exc", caught}, {"notes", notes(caught)}});
                    })});
    } catch (const ExceptionGroup&) {
        std::exception_ptr rest = std::current_exception();
        trace("star.rest", {{"exc", rest}, {"notes", notes(rest)}});
    }
    trace("star.orig", {{"notes", notes(g)}});

    try {
        co_await en_relay();
    } catch (const ValueError&) {
        std::exception_ptr err = std::current_exception();
        trace("relay", {{"exc", err}, {"notes", notes(err)}});
    }

    try {
        co_await async_with(TaskGroup(), &en_group_body);
    } catch (const ExceptionGroup&) {
        std::exception_ptr eg = std::current_exception();
        std::vector<std::optional<std::vector<std::string>>> members;
        for (const std::exception_ptr& x : as_group(eg)->exceptions()) members.push_back(notes(x));
        trace("taskgroup", {{"exc", eg}, {"group_notes", notes(eg)}, {"member_notes", members}});
    }
}

}  // namespace

void register_conf_notes(Registry& reg) {
    reg.add({"exception_notes", "exception_groups",
             "add_note/__notes__: copied by split and subgroup, not by derive, kept through except*, awaits and TaskGroup",
             {},
             [](const Context&) { return exception_notes(); }});
}

}  // namespace corosim::scenarios
