// conf_groups.cpp: conformance twins (see tests/conformance/programs).
#include <functional>
#include <string>
#include <vector>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

COROSIM_DEFINE_EXCEPTION(OSError, Exception);
COROSIM_DEFINE_EXCEPTION(ZeroDivisionError, Exception);

template <class E>
std::exception_ptr ep(E e) {
    return std::make_exception_ptr(std::move(e));
}

// Python's repr of a tuple of exceptions (None for a null one).
std::string tuple_repr(const std::vector<std::exception_ptr>& items) {
    std::string out = "(";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += items[i] ? exception_repr(items[i]) : "None";
    }
    if (items.size() == 1) out += ",";
    return out + ")";
}

const char* type_name(const std::exception_ptr& e) { return as_base(e)->type_name(); }

// ---- exception_groups ----

void eg_attempt(const std::string& label, const std::function<std::exception_ptr()>& fn) {
    try {
        std::exception_ptr r = fn();
        trace(label, {{"type", type_name(r)}, {"value", r}});
    } catch (const Exception&) {
        trace(label, {{"exc", std::current_exception()}});
    }
}

Coro<void> exception_groups() {
    eg_attempt("eg.base", [] { return ep(ExceptionGroup("m", {ep(KeyboardInterrupt())})); });
    eg_attempt("beg.exc", [] { return make_exception_group("m", {ep(with_int_arg<ValueError>(1))}); });
    eg_attempt("beg.base",
               [] { return make_exception_group("m", {ep(with_int_arg<ValueError>(1)), ep(KeyboardInterrupt())}); });
    eg_attempt("eg.empty", [] { return ep(ExceptionGroup("m", {})); });
    std::exception_ptr eg = ep(ExceptionGroup(
        "top", {ep(with_int_arg<ValueError>(1)), ep(ExceptionGroup("sub", {ep(with_int_arg<TypeError>(2)), ep(with_int_arg<ValueError>(3))})),
                ep(with_int_arg<KeyError>(4))}));
    const ExceptionGroupBase* g = as_group(eg);
    trace("str", {{"s", g->group_message() + " (" + std::to_string(g->exceptions().size()) + " sub-exceptions)"},
                  {"exceptions", tuple_repr(g->exceptions())}});

    as_base(eg)->cause = ep(OSError("cause"));
    as_base(eg)->suppress_context = true;
    {
        auto [match, rest] = split(eg, instance_of<ValueError>());
        trace("split.type", {{"match", chain(match)}, {"rest", chain(rest)}});
    }
    {
        auto [match, rest] = split(eg, [](const std::exception_ptr& e) {
            try {
                std::rethrow_exception(e);
            } catch (const ExceptionGroup& x) {
                return x.group_message() == "sub";
            } catch (...) {
                return false;
            }
        });
        trace("split.pred", {{"match", match}, {"rest", rest}});
    }
    {
        auto none = split(eg, instance_of<OSError>());
        trace("split.all", {{"same", split(eg, instance_of<Exception>()).first == eg},
                            {"none", tuple_repr({none.first, none.second})}});
    }
    trace("subgroup", {{"sub", subgroup(eg, instance_of<TypeError, KeyError>())}});
    std::exception_ptr d = derive(eg, {ep(with_int_arg<ZeroDivisionError>(5))});
    trace("derive", {{"d", chain(d)}, {"type", type_name(d)}});

    try {
        except_star(eg, {on<TypeError>([](const std::exception_ptr& m) {
                             trace("except*.TypeError", {{"g", m}});
                             throw RuntimeError("handler");
                         }),
                         on<ValueError>([](const std::exception_ptr& m) {
                             trace("except*.ValueError", {{"g", m}});
                             std::rethrow_exception(m);
                         })});
    } catch (const ExceptionGroup&) {
        trace("propagated", {{"exc", chain(std::current_exception())}});
    }
    try {
        except_star(ep(ExceptionGroup("one", {ep(with_int_arg<ValueError>(6))})),
                    {on<ValueError>([](const std::exception_ptr&) { throw KeyError("only"); })});
    } catch (const KeyError&) {
        trace("single", {{"exc", chain(std::current_exception())}});
    }

    try {
        except_star(ep(ValueError("bare")), {on<ValueError>([](const std::exception_ptr& m) {
                        trace("bare.caught", {{"g", m}});
                        std::rethrow_exception(m);
                    })});
    } catch (const ExceptionGroup&) {
        trace("bare.reraised", {{"exc", std::current_exception()}});
    }
    try {
        except_star(ep(ValueError("unmatched")),
                    {on<TypeError>([](const std::exception_ptr&) { trace("not.reached"); })});
    } catch (const ValueError&) {
        trace("unmatched", {{"exc", std::current_exception()}});
    }
    co_return;
}

}  // namespace

void register_conf_groups(Registry& reg) {
    reg.add({"exception_groups", "taskgroup_errors",
             "ExceptionGroup construction, split/subgroup/derive and except* semantics", {},
             [](const Context&) { return exception_groups(); }});
}

}  // namespace corosim::scenarios
