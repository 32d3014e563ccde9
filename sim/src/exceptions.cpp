#include "corosim/exceptions.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <typeinfo>

namespace corosim {

std::string py_str_repr(std::string_view s) {
    const bool has_single = s.find('\'') != std::string_view::npos;
    const bool has_double = s.find('"') != std::string_view::npos;
    const char quote = (has_single && !has_double) ? '"' : '\'';
    std::string out(1, quote);
    for (const char c : s) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c == quote) {
                    out += '\\';
                    out += c;
                } else {
                    out += c;
                }
        }
    }
    out += quote;
    return out;
}

std::string py_float_repr(double v) {
    // float_repr (Objects/floatobject.c): PyOS_double_to_string(v, 'r', 0, Py_DTSF_ADD_DOT_0).
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
    // The shortest round-trip digits, as d[.ddd]e[+-]xx.
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    const std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
    std::string out;
    std::size_t i = 0;
    if (sci[0] == '-') {
        out += '-';
        i = 1;
    }
    const std::size_t e = sci.find('e');
    std::string digits;
    for (std::size_t k = i; k < e; ++k) {
        if (sci[k] != '.') digits += sci[k];
    }
    const int exp10 = std::atoi(std::string(sci.substr(e + 1)).c_str());
    const int decpt = exp10 + 1;  // v = 0.DIGITS * 10**decpt
    const auto n = static_cast<int>(digits.size());
    if (v != 0 && (decpt <= -4 || decpt > 16)) {
        // 'r' switches to exponent form here: d[.ddd]e+XX, at least two exponent digits.
        out += digits[0];
        if (n > 1) out += "." + digits.substr(1);
        char ex[16];
        std::snprintf(ex, sizeof ex, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
        return out + ex;
    }
    if (v == 0) return out + "0.0";
    if (decpt <= 0) return out + "0." + std::string(static_cast<std::size_t>(-decpt), '0') + digits;
    if (decpt >= n) return out + digits + std::string(static_cast<std::size_t>(decpt - n), '0') + ".0";
    return out + digits.substr(0, static_cast<std::size_t>(decpt)) + "." + digits.substr(static_cast<std::size_t>(decpt));
}

std::string BaseException::repr() const {
    std::string out = type_name();
    out += '(';
    if (arg_repr_) {
        out += *arg_repr_;
    } else if (msg_) {
        out += py_str_repr(*msg_);
    }
    out += ')';
    return out;
}

std::string exception_repr(const std::exception_ptr& e) {
    if (!e) return "None";
    try {
        std::rethrow_exception(e);
    } catch (const BaseException& be) {
        return be.repr();
    } catch (const std::exception& se) {
        return "CppException(" + py_str_repr(se.what()) + ")";
    } catch (...) {
        return "CppException('unknown')";
    }
}

bool is_cancelled_error(const std::exception_ptr& e) { return holds<CancelledError>(e); }

bool is_exact_cancelled_error(const std::exception_ptr& e) {
    if (!e) return false;
    try {
        std::rethrow_exception(e);
    } catch (const CancelledError& c) {
        return typeid(c) == typeid(CancelledError);
    } catch (...) {
        return false;
    }
}

bool is_loop_fatal(const std::exception_ptr& e) { return holds<KeyboardInterrupt, SystemExit>(e); }

}  // namespace corosim
