// scenario.hpp: a scenario is a registered coroutine factory with a name, a family, typed
// integer parameters with ranges (so the fuzzer can generate and shrink them) and its own
// invariants, checked inside with check() (DESIGN 5).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "corosim/coro.hpp"
#include "corosim/run.hpp"

namespace corosim::scenarios {

/// One integer parameter: its range, default and meaning.
struct ParamSpec {
    std::string name;      ///< what `--param name=V` and ScenarioArgs::get use
    std::int64_t min = 0;  ///< smallest value: fuzzing draws in [min, max], shrinking moves toward min
    std::int64_t max = 0;  ///< largest value
    std::int64_t def = 0;  ///< the value when none is given
    std::string help;      ///< one line, shown by `corosim list --json`
    bool flag = false;     ///< a flag_param: `--param name=` also takes true/false
};

/// A 0/1 parameter read with ScenarioArgs::flag: `flag_param("slow", false, "...")`. Given as
/// true, false, 1 or 0; stored as 1 or 0.
inline ParamSpec flag_param(std::string name, bool def, std::string help) {
    return {std::move(name), 0, 1, def ? 1 : 0, std::move(help), true};
}

/// An enum parameter over `E`'s values 0..last, read with ScenarioArgs::as<E>:
/// `enum_param("mode", Mode::kLast, Mode::kFast, "...")`. Stored and given as the integer.
template <class E>
ParamSpec enum_param(std::string name, E last, E def, std::string help) {
    static_assert(std::is_enum_v<E>, "enum_param takes an enum");
    return {std::move(name), 0, static_cast<std::int64_t>(last), static_cast<std::int64_t>(def), std::move(help)};
}

/// Parameter values by name (ordered, so their JSON is canonical).
using Params = std::map<std::string, std::int64_t>;

/// What a scenario's factory receives.
struct ScenarioArgs {
    Params params;  ///< every declared parameter, defaults filled in
    std::uint64_t seed = 0;  ///< the run's seed, for scenarios that draw their own data
    /// The value of parameter `name`; std::invalid_argument for a name the scenario does not
    /// declare (params hold every declared one).
    std::int64_t get(std::string_view name) const;
    /// A flag_param's value: `get(name) != 0`.
    bool flag(std::string_view name) const { return get(name) != 0; }
    /// An enum_param's value (or any integer parameter cast to an enum).
    template <class E>
    E as(std::string_view name) const {
        static_assert(std::is_enum_v<E>, "as<E> takes an enum");
        return static_cast<E>(get(name));
    }
    /// A real number kept as an integer count of `unit`s, so that the fuzzer can still draw and
    /// shrink it: `{"ratio_pct", 0, 100, 50, "..."}` read as `scaled("ratio_pct", 0.01)`.
    double scaled(std::string_view name, double unit) const { return static_cast<double>(get(name)) * unit; }
};

/// The old name of ScenarioArgs, kept for existing code. It collides with corosim::Context
/// (contextvars.Context) when both namespaces are opened: new code names ScenarioArgs.
using Context = ScenarioArgs;

/// A registered scenario.
struct Scenario {
    std::string name;                 ///< unique; what the CLI and the store call it
    std::string family;               ///< a group name for `corosim list` (built-ins: one per file)
    std::string description;          ///< one line: what it exercises or which bug it plants
    std::vector<ParamSpec> params;    ///< its integer parameters
    /// Builds the run's main coroutine from the arguments; called once per run, on the run's loop.
    std::function<Coro<void>(const ScenarioArgs&)> make;
    bool planted = false;  ///< a deliberately buggy scenario (excluded from --all)
    /// The outcome this scenario is meant to end with, e.g. kError for one whose main ends with
    /// an exception as its Python twin does; a run with that outcome passes.
    Outcome expect = Outcome::kPass;
    /// A conformance twin: it reproduces one CPython program under asyncio's own (FIFO) order
    /// and checks that trace, so other policies and parameters mean nothing to it. The fuzzer
    /// runs it once, under fifo.
    bool fifo_only = false;
    /// A tighter livelock budget (loop callbacks) for scenarios whose failure mode is a hang;
    /// 0 keeps the runner's default.
    std::uint64_t max_steps = 0;

    /// Every parameter at its default.
    Params defaults() const;
    /// Applies `key=value` (a flag's value: true, false, 1 or 0); throws std::invalid_argument
    /// naming the bad key or value.
    void apply(Params& params, std::string_view assignment) const;
};

/// `{"k":1,"n":8}`: the canonical JSON of a parameter set.
std::string params_json(const Params& params);
/// Parses params_json's output (flat object of integers); throws std::invalid_argument.
Params parse_params_json(std::string_view json);

}  // namespace corosim::scenarios
