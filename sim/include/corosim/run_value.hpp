// run_value.hpp: run() for a main coroutine that returns a value, giving it back as asyncio.run
// does (SEMANTICS G5; Lib/asyncio/runners.py Runner.run).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "corosim/coro.hpp"
#include "corosim/loop.hpp"
#include "corosim/repr.hpp"
#include "corosim/run.hpp"
#include "corosim/task.hpp"

namespace corosim {

/// What run() gives back for a main coroutine that returns a value: everything a run produced
/// plus that value, as asyncio.run returns it; empty when main did not return.
template <class T>
struct RunValue : RunResult {
    std::optional<T> value;  ///< What main returned; empty when it raised, was cancelled or never finished.
};

namespace detail {
/// run()'s body: `start` makes the main task (Kind::kMain) on the loop; once main returned,
/// `returned` gives the repr the `run.result value=...` line shows (and may keep the value).
RunResult run_main(const std::function<TaskBase*(Loop&)>& start, const std::function<std::string(TaskBase&)>& returned,
                   LoopOptions options);

template <class C>
struct CoroValue {};
template <class T>
struct CoroValue<Coro<T>> {
    using type = T;
};
}  // namespace detail

/// asyncio.run for a main that returns a value: `RunValue<T>::value` is it, and the
/// `run.result value=` line traces its repr (so T needs one: see py_repr).
template <class F, class T = typename detail::CoroValue<std::invoke_result_t<const F&>>::type>
    requires(!std::is_void_v<T>)
RunValue<T> run(const F& make_main, LoopOptions options = {}) {
    RunValue<T> out;
    static_cast<RunResult&>(out) = detail::run_main(
        [&make_main](Loop& loop) -> TaskBase* {
            return new TaskState<T>(loop, make_main().release(), "main", TaskBase::Kind::kMain);
        },
        [&out](TaskBase& main) {
            out.value.emplace(static_cast<TaskState<T>&>(main).result());
            return py_repr(*out.value);
        },
        std::move(options));
    return out;
}

}  // namespace corosim
