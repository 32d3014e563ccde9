// conf_interrupts.cpp: conformance twins (see tests/conformance/programs) of the programs where
// a BaseException ends a task's step (SEMANTICS B3, G4, G5, G7): KeyboardInterrupt and
// SystemExit stop the loop mid-iteration with the task's done callbacks already queued; each
// must print CPython 3.12's trace under FIFO.
#include <string>

#include "corosim/corosim.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::scenarios {

namespace {

COROSIM_DEFINE_EXCEPTION(Halt, BaseException);

Coro<void> mki_sleep() { co_await sleep(seconds(5)); }

Coro<void> mki_sleeper_finally() {
    trace("sleeper.finally");
    co_return;
}

Coro<void> mki_sleeper() {
    trace("sleeper.start");
    co_await try_finally(mki_sleep(), &mki_sleeper_finally);
}

Coro<void> main_keyboard_interrupt() {
    Task<void> t = create_task(mki_sleeper());
    co_await sleep(0);
    trace("main.raise");
    throw KeyboardInterrupt();
}

Coro<void> main_system_exit_alone() {
    co_await sleep(seconds(1));
    running_loop().call_soon([] { trace("callback"); }, "<lambda>()");
    trace("main.raise");
    throw SystemExit("bye");
}

Coro<void> mia_watcher(Task<void> m) {
    try {
        co_await m;
    } catch (...) {
        trace("watcher.caught", {{"exc", std::current_exception()}});
        throw;
    }
}

Coro<void> main_interrupt_awaited() {
    Task<void> t = create_task(mia_watcher(Task<void>(detail::Ref<TaskState<void>>(
        static_cast<TaskState<void>*>(current_task())))));
    co_await sleep(0);
    trace("main.raise");
    throw KeyboardInterrupt("stop");
}

Coro<void> mbe_other_finally() {
    trace("other.finally");
    co_return;
}

Coro<void> mbe_other() { co_await try_finally(mki_sleep(), &mbe_other_finally); }

Coro<void> main_base_exception_custom() {
    (void)create_task(mbe_other());
    co_await sleep(0);
    trace("main.raise");
    throw Halt("halt");
}

Coro<void> cki_child() {
    trace("child.raise");
    throw KeyboardInterrupt();
    co_return;
}

Coro<void> cki_main_finally() {
    trace("main.finally");
    co_return;
}

Coro<void> child_keyboard_interrupt() {
    (void)create_task(cki_child());
    co_await try_finally(mki_sleep(), &cki_main_finally);
}

void add_error(Registry& reg, Scenario s) {
    s.expect = Outcome::kError;  // the exception leaves asyncio.run, as in CPython
    reg.add(std::move(s));
}

}  // namespace

void register_conf_interrupts(Registry& reg) {
    add_error(reg, {"main_keyboard_interrupt", "runtime",
                    "KeyboardInterrupt from main's step: the stale _run_until_complete_cb retrieves it at shutdown", {},
                    [](const Context&) { return main_keyboard_interrupt(); }});
    add_error(reg, {"main_system_exit_alone", "runtime",
                    "SystemExit from main's step, nothing to cancel: retrieved during shutdown_asyncgens' run", {},
                    [](const Context&) { return main_system_exit_alone(); }});
    add_error(reg, {"main_interrupt_awaited", "runtime",
                    "KeyboardInterrupt from main while a task awaits main: that task ends cancelled", {},
                    [](const Context&) { return main_interrupt_awaited(); }});
    add_error(reg, {"main_base_exception_custom", "runtime",
                    "a BaseException other than KeyboardInterrupt/SystemExit just ends main", {},
                    [](const Context&) { return main_base_exception_custom(); }});
    add_error(reg, {"child_keyboard_interrupt", "runtime",
                    "KeyboardInterrupt from an unawaited child: stops the loop, reported never retrieved", {},
                    [](const Context&) { return child_keyboard_interrupt(); }});
}

}  // namespace corosim::scenarios
