#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "commands.hpp"

#include "corosim/checker/signature.hpp"

namespace corosim::cli {

const scenarios::Scenario& find_scenario(std::string_view name) {
    const auto& reg = scenarios::all_scenarios();
    if (const auto* s = reg.find(name)) return *s;
    // The three closest names by edit distance, not the whole (long) list.
    const auto distance = [](std::string_view a, std::string_view b) {
        std::vector<std::size_t> row(b.size() + 1);
        for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i) {
            std::size_t diag = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= b.size(); ++j) {
                const std::size_t up = row[j];
                row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
                diag = up;
            }
        }
        return row[b.size()];
    };
    std::vector<std::pair<std::size_t, std::string>> ranked;
    for (const auto& [n, s] : reg.all()) ranked.emplace_back(distance(name, n), n);
    std::sort(ranked.begin(), ranked.end());
    std::string close;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, ranked.size()); ++i) {
        close += (close.empty() ? "" : ", ") + ranked[i].second;
    }
    throw UsageError("unknown scenario '" + std::string(name) + "' (did you mean " + close +
                     "? `corosim list` shows all)");
}

std::uint64_t parse_u64(std::string_view flag, const std::string& text, std::uint64_t min) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])) || ec != std::errc() ||
        end != text.data() + text.size() || v < min) {
        throw UsageError(std::string(flag) + " wants an integer from " + std::to_string(min) + " to " +
                         std::to_string(UINT64_MAX) + ", got '" + text + "'");
    }
    return v;
}

std::pair<std::uint32_t, std::uint32_t> parse_shard(const std::string& text) {
    const auto slash = text.find('/');
    std::uint32_t i = 0;
    std::uint32_t n = 0;
    bool ok = slash != std::string::npos;
    if (ok) {
        const auto a = std::from_chars(text.data(), text.data() + slash, i);
        const auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), n);
        ok = a.ec == std::errc() && a.ptr == text.data() + slash && b.ec == std::errc() &&
             b.ptr == text.data() + text.size() && n > 0 && i < n;
    }
    if (!ok) throw UsageError("--shard wants I/N with 0 <= I < N, got '" + text + "'");
    return {i, n};
}

std::chrono::milliseconds parse_duration(std::string_view flag, const std::string& text) {
    const auto bad = [&] {
        return UsageError(std::string(flag) + " wants a duration from 1ms to 365d like 60s, 5m, 500ms or 1h, got '" +
                          text + "'");
    };
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])) || ec != std::errc()) throw bad();
    const std::string unit(end, text.data() + text.size());
    std::uint64_t scale = 0;
    if (unit == "ms") scale = 1;
    if (unit == "s" || unit.empty()) scale = 1000;
    if (unit == "m") scale = 60'000;
    if (unit == "h") scale = 3'600'000;
    if (unit == "d") scale = 86'400'000;
    constexpr std::uint64_t kYear = 365ULL * 86'400'000;
    if (scale == 0 || n == 0 || n > kYear / scale) throw bad();
    return std::chrono::milliseconds(static_cast<std::int64_t>(n * scale));
}

PythonVersion parse_python(const std::string& text) {
    if (const std::optional<PythonVersion> v = parse_python_version(text)) return *v;
    throw UsageError("--python wants 3.11, 3.12 or 3.13, got '" + text + "'");
}

std::uint64_t parse_megabytes(std::string_view flag, const std::string& text) {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    const std::string unit(end, text.data() + text.size());
    std::uint64_t scale = 0;
    if (unit.empty() || unit == "M" || unit == "MB" || unit == "MiB") scale = 1;
    if (unit == "G" || unit == "GB" || unit == "GiB") scale = 1024;
    constexpr std::uint64_t kMax = 1ULL << 30;  // 1 PiB in MiB: beyond any machine
    if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])) || ec != std::errc() || scale == 0 || n == 0 ||
        n > kMax / scale) {
        throw UsageError(std::string(flag) + " wants a size like 512M or 2G, got '" + text + "'");
    }
    return n * scale;
}

std::string terminal_text(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}

std::string terminal_backtrace(std::string_view message, std::string_view indent) {
    std::string out;
    std::string_view rest = checker::message_backtrace(message);
    while (!rest.empty()) {
        const std::size_t end = rest.find('\n');
        out += "\n";
        out += indent;
        out += terminal_text(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    }
    return out;
}

std::string terminal_message(std::string_view message, std::string_view indent) {
    return terminal_text(checker::message_headline(message)) + terminal_backtrace(message, indent);
}

bool colour_on(int fd) {
    const char* no_colour = std::getenv("NO_COLOR");
    return isatty(fd) != 0 && (no_colour == nullptr || *no_colour == '\0');
}

std::string paint(std::string_view text, const char* code, bool on) {
    if (!on) return std::string(text);
    return std::string("\x1b[") + code + "m" + std::string(text) + "\x1b[0m";
}

}  // namespace corosim::cli
