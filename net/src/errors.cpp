// errors.cpp: the stream exceptions' messages and the bytes repr traces show.
#include "corosim/net/errors.hpp"

namespace corosim::net {

namespace {
// streams.py: f'{len(partial)} bytes read on a total of {r_expected} expected bytes'.
std::string incomplete_message(std::size_t got, const std::optional<std::size_t>& expected) {
    return std::to_string(got) + " bytes read on a total of " + (expected ? std::to_string(*expected) : "undefined") +
           " expected bytes";
}
}  // namespace

IncompleteReadError::IncompleteReadError(std::string partial_bytes, std::optional<std::size_t> expected_bytes)
    : EOFError(incomplete_message(partial_bytes.size(), expected_bytes)),
      partial(std::move(partial_bytes)),
      expected(expected_bytes) {}

std::string py_bytes_repr(std::string_view data) {
    // Objects/bytesobject.c PyBytes_Repr: single quotes unless the data holds ' and no ".
    const bool dquote = data.find('\'') != std::string_view::npos && data.find('"') == std::string_view::npos;
    const char quote = dquote ? '"' : '\'';
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "b";
    out += quote;
    for (const char ch : data) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == static_cast<unsigned char>(quote) || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < ' ' || c >= 0x7f) {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        } else {
            out += ch;
        }
    }
    out += quote;
    return out;
}

}  // namespace corosim::net
