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
#include <tuple>
#include <type_traits>
#include <utility>
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
template <class T>
struct IsTuple : std::false_type {};
template <class... T>
struct IsTuple<std::tuple<T...>> : std::true_type {};
template <class A, class B>
struct IsTuple<std::pair<A, B>> : std::true_type {};
// Named so that the compiler's note on the static_assert below shows the offending type.
template <class T>
struct NoPythonReprFor {
    static constexpr bool value = false;
};
}  // namespace detail

/// Python's repr of `v`: `'x'` for strings, `[1, 2]` for vectors, `(1, 'a')` for a std::tuple or
/// std::pair (`(1,)` for one element), `True`, `None`, `ValueError('a')`.
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
    } else if constexpr (detail::IsTuple<T>::value) {
        std::string out = "(";
        std::apply([&out](const auto&... item) {
            bool first = true;
            ((out += (first ? "" : ", ") + py_repr(item), first = false), ...);
        }, v);
        return out + (std::tuple_size_v<T> == 1 ? ",)" : ")");
    } else {
        static_assert(detail::NoPythonReprFor<T>::value,
                      "trace()/py_repr(): no Python repr for this value's type (it is the T of "
                      "NoPythonReprFor<T> in this diagnostic): trace ints, bools, doubles, strings, None, exceptions, std::optional or "
                      "std::vector of those, or give the type a `std::string repr() const` member");
    }
}

namespace detail {
/// Whether py_repr can show a T (the types trace() takes).
template <class T>
constexpr bool has_py_repr() {
    if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, NoneType> || std::is_same_v<T, std::exception_ptr> ||
                  std::is_convertible_v<const T&, std::string_view>) {
        return true;
    } else if constexpr (requires(const T& v) { { v.repr() } -> std::convertible_to<std::string>; }) {
        return true;
    } else if constexpr (IsOptional<T>::value || IsVector<T>::value) {
        return has_py_repr<typename T::value_type>();
    } else if constexpr (IsTuple<T>::value) {
        return []<std::size_t... I>(std::index_sequence<I...>) {
            return (has_py_repr<std::tuple_element_t<I, T>>() && ...);
        }(std::make_index_sequence<std::tuple_size_v<T>>());
    } else {
        return false;
    }
}
}  // namespace detail

/// `reprlib.repr(v)` as a future's repr shows a result: a string whose repr is longer than 30
/// characters is cut to its first 13 and last 14 around `...`; other values as py_repr.
template <class T>
std::string reprlib_repr(const T& v) {
    if constexpr (std::is_convertible_v<const T&, std::string_view> && !std::is_same_v<T, std::nullptr_t>) {
        const std::string_view x(v);
        std::string s = py_str_repr(x.substr(0, 30));
        if (s.size() <= 30) return s;
        const std::size_t i = 13;
        const std::size_t j = 14;
        s = py_str_repr(std::string(x.substr(0, i)) + std::string(x.substr(x.size() > j ? x.size() - j : 0)));
        return s.substr(0, i) + "..." + s.substr(s.size() - j);
    } else {
        return py_repr(v);
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
