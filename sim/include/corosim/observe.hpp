// observe.hpp: what scenario code calls to be seen: trace() writes a conformance line
// (SEMANTICS T) and check() records an invariant violation without throwing (DESIGN 5).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "corosim/repr.hpp"

namespace corosim {

/// One `key=value` pair of a trace line, rendered when constructed.
struct Field {
    /// `k=v`, with `v` rendered as trace() shows it (a type it cannot show does not compile).
    template <class T>
    Field(std::string_view k, const T& v) : key(k), text(trace_text(v)) {}
    std::string_view key;  ///< the key; must outlive the trace() call (a literal)
    std::string text;      ///< the value as the trace line shows it
};

/// Records `kind key=value ...` from the current task, like the reference loop's trace().
void trace(std::string_view kind, std::initializer_list<Field> fields = {});

/// Records a violation (trace line `check.failed message=...`) when `cond` is false.
void check(bool cond, std::string_view message);

}  // namespace corosim
