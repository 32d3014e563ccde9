#include "corosim/reports/explain.hpp"

#include <cstdint>
#include <cstdio>
#include <map>

#include "corosim/policy.hpp"
#include "corosim/trace.hpp"

namespace corosim::reports {

namespace {
bool is(const checker::StoredEvent& e, EventKind k) { return e.kind == static_cast<std::uint16_t>(k); }

std::string at_time(Nanos t) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "at t=%.3f s", static_cast<double>(t) / 1e9);
    return buf;
}
}  // namespace

std::vector<std::string> explain_choices(const std::vector<checker::StoredEvent>& events) {
    std::map<std::uint32_t, std::string> names;
    const auto name_of = [&](std::uint32_t task) {
        const auto it = names.find(task);
        return it != names.end() ? it->second : "task#" + std::to_string(task);
    };
    std::vector<std::string> out;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& e = events[i];
        if (is(e, EventKind::kTaskCreate)) names[static_cast<std::uint32_t>(e.a)] = e.name;
        if (!is(e, EventKind::kChoice)) continue;
        const auto n = static_cast<std::uint32_t>(e.a & 0xffffffff);
        const auto fifo = static_cast<std::uint32_t>(static_cast<std::uint64_t>(e.a) >> 32);
        const auto pick = static_cast<std::uint32_t>(e.b & 0xffffffff);
        const auto kind = static_cast<ChoiceKind>(static_cast<std::uint64_t>(e.b) >> 32);
        std::string text = at_time(e.vtime) + ", ";
        if (kind == ChoiceKind::kTimerJitter) {
            text += "a timer fired late (jitter " + std::to_string(pick) + " of " + std::to_string(n - 1) + ")";
        } else if (kind == ChoiceKind::kDelay) {
            text += "a network message took longer (delay " + std::to_string(pick) + " of " + std::to_string(n - 1) +
                    " between the link's minimum and maximum)";
        } else if (kind == ChoiceKind::kFault) {
            // The network traces the fault it injected (`net.fault ...`) right after its choice.
            std::string what = "fault " + std::to_string(pick) + " of " + std::to_string(n - 1);
            for (std::size_t j = i + 1; j < events.size() && j <= i + 2; ++j) {
                if (is(events[j], EventKind::kLine) && events[j].text.rfind("net.fault ", 0) == 0) {
                    what = events[j].text.substr(10);
                    break;
                }
            }
            text += "the network injected a fault: " + what;
        } else if (kind == ChoiceKind::kBuggify) {
            // The fault point traces `buggify site=NAME` right after its choice.
            std::string site = "a fault point";
            for (std::size_t j = i + 1; j < events.size() && j <= i + 2; ++j) {
                if (is(events[j], EventKind::kLine) && events[j].text.rfind("buggify site=", 0) == 0) {
                    site = "fault point `" + events[j].text.substr(13) + "`";
                    break;
                }
            }
            text += site + " fired (buggify)";
        } else {
            // The next step after the choice is what the choice let run; a callback that is no
            // task's step (a timer's, a future's done callback) has no name in the trace.
            std::string ran;
            for (std::size_t j = i + 1; j < events.size(); ++j) {
                if (is(events[j], EventKind::kStep)) {
                    ran = name_of(events[j].task);
                    break;
                }
                if (is(events[j], EventKind::kChoice)) break;
            }
            const std::string of = " (ready callback " + std::to_string(pick + 1) + " of " + std::to_string(n) + "; ";
            if (ran.empty() && fifo == 0) {
                text += "a loop callback (a timer's or a done callback, not a task step) ran before another" + of +
                        "FIFO order runs the other first)";
            } else {
                const std::string other = "a loop callback (a timer's or a done callback, not a task step)";
                const std::string instead = fifo != 0 ? name_of(fifo) : other;
                text += (ran.empty() ? other : ran) + " ran before " + instead + of + "FIFO order runs " +
                        (fifo != 0 ? instead : std::string("the callback")) + " first)";
            }
        }
        out.push_back(std::move(text));
    }
    return out;
}

}  // namespace corosim::reports
