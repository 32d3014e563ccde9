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
    template <class T>
    Field(std::string_view k, const T& v) : key(k), text(trace_text(v)) {}
    std::string_view key;
    std::string text;
};

/// Records `kind key=value ...` from the current task, like the reference loop's trace().
void trace(std::string_view kind, std::initializer_list<Field> fields = {});

/// Records a violation (trace line `check.failed message=...`) when `cond` is false.
void check(bool cond, std::string_view message);

}  // namespace corosim
