// repr.hpp: Python's repr for the values scenarios trace (SEMANTICS T): ints, bools as
// True/False, floats as Python's float repr, strings quoted inside containers and raw at the top
// level, lists, None, exceptions.
#pragma once

#include <concepts>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "corosim/exceptions.hpp"

namespace corosim {

/// Python's `None`, for values that have no C++ counterpart.
struct NoneType {};
/// The None value.
inline constexpr NoneType None{};

template <class T>
std::string py_repr(const T& v);

namespace detail {
template <class T>
struct IsVector : std::false_type {};
template <class T, class A>
struct IsVector<std::vector<T, A>> : std::true_type {};
template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
// Named so that the compiler's note on the static_assert below shows the offending type.
template <class T>
struct NoPythonReprFor {
    static constexpr bool value = false;
};
}  // namespace detail

/// Python's repr of `v`: `'x'` for strings, `[1, 2]` for vectors, `True`, `None`, `ValueError('a')`.
template <class T>
std::string py_repr(const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
        return v ? "True" : "False";
    } else if constexpr (std::is_integral_v<T>) {
        return std::to_string(v);
    } else if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>) {
        return py_float_repr(static_cast<double>(v));  // the shortest round-trip digits, as Python
    } else if constexpr (std::is_same_v<T, NoneType> || std::is_same_v<T, std::nullptr_t>) {
        return "None";
    } else if constexpr (requires { { v.repr() } -> std::convertible_to<std::string>; }) {
        return v.repr();  // exceptions, ContextValue (a str or an object's repr), ContextVar, ...
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
        return py_str_repr(std::string_view(v));
    } else if constexpr (std::is_same_v<T, std::exception_ptr>) {
        return exception_repr(v);
    } else if constexpr (detail::IsOptional<T>::value) {
        return v ? py_repr(*v) : std::string("None");
    } else if constexpr (detail::IsVector<T>::value) {
        std::string out = "[";
        bool first = true;
        for (const auto& item : v) {
            if (!first) out += ", ";
            first = false;
            out += py_repr(item);
        }
        return out + "]";
    } else {
        static_assert(detail::NoPythonReprFor<T>::value,
                      "trace()/py_repr(): no Python repr for this value's type (it is the T of "
                      "NoPythonReprFor<T> in this diagnostic): trace ints, bools, doubles, strings, None, exceptions, std::optional or "
                      "std::vector of those, or give the type a `std::string repr() const` member");
    }
}

/// How a value shows in a trace line's `key=value`: strings raw, everything else as repr.
template <class T>
std::string trace_text(const T& v) {
    if constexpr (std::is_convertible_v<const T&, std::string_view> && !std::is_same_v<T, std::nullptr_t>) {
        return std::string(std::string_view(v));
    } else {
        return py_repr(v);
    }
}

}  // namespace corosim
