#include "corosim/reports/failures.hpp"

#include <map>
#include <utility>

#include "corosim/checker/signature.hpp"

namespace corosim::reports {

std::vector<FailureGroup> group_failures(checker::Store& store, std::int64_t campaign) {
    std::vector<FailureGroup> groups;
    std::map<std::pair<std::string, std::string>, std::size_t> index;  // (scenario, signature)
    std::map<std::int64_t, std::size_t> group_of_run;
    std::vector<checker::StoredRun> shrunk;
    for (auto& run : store.failures(campaign)) {
        if (run.parent != 0) {
            shrunk.push_back(std::move(run));
            continue;
        }
        std::string signature = checker::failure_signature(run.outcome, run.message);
        auto [it, fresh] = index.try_emplace({run.spec.scenario, signature}, groups.size());
        if (fresh) {
            FailureGroup g;
            g.scenario = run.spec.scenario;
            g.signature = std::move(signature);
            g.first = run;
            groups.push_back(std::move(g));
        }
        ++groups[it->second].occurrences;
        group_of_run[run.id] = it->second;
    }
    for (auto& run : shrunk) {
        const auto it = group_of_run.find(run.parent);
        if (it != group_of_run.end() && !groups[it->second].shrunk) groups[it->second].shrunk = std::move(run);
    }
    return groups;
}

namespace {
// The length of the valid UTF-8 sequence at s[i], or 0 (overlong forms, surrogates and code
// points past U+10FFFF are invalid, as XML parsers and browsers treat them).
std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const unsigned char c = b(0);
    if (c < 0x80) return 1;
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((b(k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b(k) & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return 0;
    return n;
}
}  // namespace

std::string clean_text(std::string_view text, std::size_t max_bytes) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t n = utf8_length(text, i);
        std::string_view piece = n == 0 ? std::string_view("\xEF\xBF\xBD") : text.substr(i, n);
        const auto c = static_cast<unsigned char>(text[i]);
        if (n == 1 && ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)) piece = {};
        if (out.size() + piece.size() > max_bytes) {
            out += "... (" + std::to_string(text.size() - i) + " more bytes cut)";
            return out;
        }
        out += piece;
        i += n == 0 ? 1 : n;
    }
    return out;
}

}  // namespace corosim::reports
