#include "corosim/exceptions.hpp"

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

bool is_cancelled_error(const std::exception_ptr& e) {
    if (!e) return false;
    try {
        std::rethrow_exception(e);
    } catch (const CancelledError&) {
        return true;
    } catch (...) {
        return false;
    }
}

bool is_loop_fatal(const std::exception_ptr& e) {
    if (!e) return false;
    try {
        std::rethrow_exception(e);
    } catch (const KeyboardInterrupt&) {
        return true;
    } catch (const SystemExit&) {
        return true;
    } catch (...) {
        return false;
    }
}

}  // namespace corosim
