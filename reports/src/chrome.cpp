#include "corosim/reports/chrome.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>

#include "corosim/checker/repro.hpp"
#include "corosim/reports/failures.hpp"
#include "corosim/trace.hpp"

namespace corosim::reports {

namespace {
using Json = nlohmann::ordered_json;

std::string vtime_ms(Nanos t) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(t) / 1e6);
    return buf;
}
}  // namespace

std::string chrome_trace(const checker::StoredRun& run, const std::vector<checker::StoredEvent>& events) {
    Json out_events = Json::array();
    std::map<std::uint32_t, std::string> names{{0, "loop"}};
    std::map<std::uint32_t, std::int64_t> open;  // task -> ts of its open step slice
    const auto kind = [](EventKind k) { return static_cast<std::uint16_t>(k); };
    const auto thread_of = [](std::uint32_t task) { return static_cast<std::int64_t>(task); };
    const auto push = [&](Json e) { out_events.push_back(std::move(e)); };
    std::int64_t ts = 0;
    const auto end_slice = [&](std::uint32_t task, const char* how, Nanos vt) {
        if (open.erase(task) == 0) return;
        push({{"name", "step"}, {"ph", "E"}, {"ts", ts}, {"pid", 1}, {"tid", thread_of(task)},
              {"args", {{"end", how}, {"vtime_ms", vtime_ms(vt)}}}});
    };
    for (const auto& e : events) {
        ++ts;
        const Json vt = vtime_ms(e.vtime);
        if (e.kind == kind(EventKind::kTaskCreate)) {
            names[static_cast<std::uint32_t>(e.a)] = e.name;
            push({{"name", "create " + e.name}, {"ph", "i"}, {"s", "t"}, {"ts", ts}, {"pid", 1},
                  {"tid", thread_of(e.task)}, {"args", {{"task", e.name}, {"vtime_ms", vt}}}});
        } else if (e.kind == kind(EventKind::kStep)) {
            end_slice(e.task, "next step", e.vtime);
            open[e.task] = ts;
            push({{"name", "step"}, {"ph", "B"}, {"ts", ts}, {"pid", 1}, {"tid", thread_of(e.task)},
                  {"args", {{"vtime_ms", vt}}}});
        } else if (e.kind == kind(EventKind::kSuspend)) {
            end_slice(e.task, e.a != 0 ? "await" : "yield", e.vtime);
        } else if (e.kind == kind(EventKind::kTaskDone)) {
            end_slice(e.task, e.a == 0 ? "result" : e.a == 1 ? "exception" : "cancelled", e.vtime);
        } else if (e.kind == kind(EventKind::kLine)) {
            // A line's task column is a task name; lines outside tasks go on the loop's thread.
            std::uint32_t tid = e.task;
            push({{"name", clean_text(e.text, 200)}, {"ph", "i"}, {"s", "t"}, {"ts", ts}, {"pid", 1},
                  {"tid", thread_of(tid)}, {"args", {{"vtime_ms", vt}}}});
        } else if (e.kind == kind(EventKind::kCancel)) {
            const auto target = static_cast<std::uint32_t>(e.a);
            push({{"name", "cancel requested"}, {"ph", "i"}, {"s", "t"}, {"ts", ts}, {"pid", 1},
                  {"tid", thread_of(target)}, {"args", {{"by", names[e.task]}, {"vtime_ms", vt}}}});
        } else if (e.kind == kind(EventKind::kChoice)) {
            push({{"name", "choice " + std::to_string(e.b & 0xffffffff) + " of " + std::to_string(e.a & 0xffffffff) +
                               " (not FIFO)"},
                  {"ph", "i"}, {"s", "g"}, {"ts", ts}, {"pid", 1}, {"tid", 0}, {"args", {{"vtime_ms", vt}}}});
        } else if (e.kind == kind(EventKind::kWaiting)) {
            push({{"name", "still waiting at the end"}, {"ph", "i"}, {"s", "t"}, {"ts", ts}, {"pid", 1},
                  {"tid", thread_of(static_cast<std::uint32_t>(e.a))}, {"args", {{"vtime_ms", vt}}}});
        }
    }
    ++ts;
    while (!open.empty()) end_slice(open.begin()->first, "end of run", run.vtime);
    Json doc;
    doc["displayTimeUnit"] = "ms";
    Json meta = Json::array();
    meta.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"tid", 0},
                    {"args", {{"name", run.spec.scenario + " (" + run.outcome + ")"}}}});
    for (const auto& [task, name] : names) {
        meta.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", thread_of(task)}, {"args", {{"name", name}}}});
        meta.push_back({{"name", "thread_sort_index"}, {"ph", "M"}, {"pid", 1}, {"tid", thread_of(task)},
                        {"args", {{"sort_index", task}}}});
    }
    for (auto& e : out_events) meta.push_back(std::move(e));
    doc["traceEvents"] = std::move(meta);
    doc["otherData"] = {{"scenario", run.spec.scenario},
                        {"outcome", run.outcome},
                        {"message", clean_text(run.message)},
                        {"reproduce", checker::repro_command(run.spec)},
                        {"time_axis", "event order (1 us per event); virtual time in args.vtime_ms"}};
    return doc.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace corosim::reports
