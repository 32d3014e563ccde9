#include "corosim/reports/html.hpp"
#include "corosim/reports/explain.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "corosim/checker/repro.hpp"
#include "corosim/checker/shrink.hpp"
#include "corosim/checker/signature.hpp"
#include "corosim/reports/failures.hpp"
#include "corosim/reports/text.hpp"
#include "corosim/trace.hpp"

namespace corosim::reports {

namespace {
constexpr std::size_t kMaxEvents = 6000;  // a swimlane beyond this shows its first events only
constexpr int kLabelWidth = 150;
constexpr int kLaneHeight = 26;
constexpr int kTop = 34;

std::string esc(std::string_view text, std::size_t max = 4096) {
    std::string out;
    for (const char c : clean_text(text, max)) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string seconds(Nanos t) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(t) / 1e9);
    return buf;
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

bool is(const checker::StoredEvent& e, EventKind k) { return e.kind == static_cast<std::uint16_t>(k); }

// What a marker on a trace line means, from the line's kind (SEMANTICS T: "kind detail").
const char* line_class(std::string_view text) {
    if (text.starts_with("check.failed")) return "violation";
    if (text.starts_with("loop.error") || text.find("exception") != std::string_view::npos ||
        text.find("Error") != std::string_view::npos) {
        return "exc";
    }
    if (text.find("cancel") != std::string_view::npos) return "cancel";
    if (text.find("asyncgen") != std::string_view::npos || text.find("aclose") != std::string_view::npos) return "agen";
    if (text.starts_with("warning") || text.find("never") != std::string_view::npos) return "warn";
    return "line";
}
}  // namespace

std::string swimlane_svg(const checker::StoredRun& run, const std::vector<checker::StoredEvent>& all_events) {
    const std::vector<checker::StoredEvent> events(all_events.begin(),
                                                  all_events.begin() + static_cast<std::ptrdiff_t>(std::min(all_events.size(), kMaxEvents)));
    // Lanes: the loop itself (lines outside any task), then the tasks in creation order.
    std::map<std::uint32_t, std::string> names{{0, "(loop)"}};
    for (const auto& e : events) {
        if (is(e, EventKind::kTaskCreate)) names[static_cast<std::uint32_t>(e.a)] = e.name;
        if (e.task != 0 && !names.contains(e.task)) names[e.task] = "task#" + std::to_string(e.task);
    }
    std::map<std::uint32_t, int> lane;
    for (const auto& [id, name] : names) lane.emplace(id, static_cast<int>(lane.size()));
    const std::vector<std::string> explained = reports::explain_choices(events);  // one per kChoice, in order
    std::size_t next_choice = 0;
    const double dx = std::max(3.0, std::min(16.0, 1400.0 / static_cast<double>(std::max<std::size_t>(events.size(), 1))));
    const double width = kLabelWidth + dx * static_cast<double>(events.size() + 2);
    const int height = kTop + kLaneHeight * static_cast<int>(names.size()) + 8;
    const auto x = [&](std::size_t i) { return kLabelWidth + dx * static_cast<double>(i + 1); };
    const auto y = [&](std::uint32_t task) { return kTop + kLaneHeight * (lane.contains(task) ? lane[task] : 0); };

    std::string steps;  // drawn first, so the marks on them stay visible
    std::string body;
    std::string labels;
    for (const auto& [id, name] : names) {
        const int ly = y(id);
        labels += "<g class=\"lane\" data-task=\"" + esc(name) + "\"><rect class=\"lane-bg\" x=\"0\" y=\"" +
                  std::to_string(ly) + "\" width=\"" + num(width) + "\" height=\"" + std::to_string(kLaneHeight) +
                  "\"/><text class=\"lane-label\" x=\"6\" y=\"" + std::to_string(ly + 17) + "\">" + esc(name, 40) +
                  "</text></g>\n";
    }
    std::map<std::uint32_t, std::pair<std::size_t, Nanos>> open;  // task -> (index, vtime) of its open step
    Nanos last_vtime = -1;
    std::string ticks;
    const auto close_step = [&](std::uint32_t task, std::size_t i, const char* how) {
        const auto it = open.find(task);
        if (it == open.end()) return;
        const double x0 = x(it->second.first);
        const double w = std::max(dx * 0.8, x(i) - x0);
        steps += "<rect class=\"step " + std::string(how) + "\" x=\"" + num(x0) + "\" y=\"" + std::to_string(y(task) + 5) +
                "\" width=\"" + num(w) + "\" height=\"16\"><title>" + esc(names[task]) + " runs (step at t=" +
                seconds(it->second.second) + ", ends: " + how + ")</title></rect>\n";
        open.erase(it);
    };
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& e = events[i];
        if (e.vtime != last_vtime) {
            ticks += "<g class=\"tick\"><line x1=\"" + num(x(i)) + "\" x2=\"" + num(x(i)) + "\" y1=\"" +
                     std::to_string(kTop - 6) + "\" y2=\"" + std::to_string(height) + "\"/><text x=\"" + num(x(i) + 2) +
                     "\" y=\"" + std::to_string(kTop - 10) + "\">t=" + seconds(e.vtime) + "</text></g>\n";
            last_vtime = e.vtime;
        }
        const std::string cx = num(x(i));
        if (is(e, EventKind::kStep)) {
            close_step(e.task, i, "next-step");
            open[e.task] = {i, e.vtime};
        } else if (is(e, EventKind::kSuspend)) {
            close_step(e.task, i, e.a != 0 ? "await" : "yield");
        } else if (is(e, EventKind::kTaskDone)) {
            close_step(e.task, i, e.a == 0 ? "result" : e.a == 1 ? "exception" : "cancelled");
            if (e.a != 0) {
                body += "<path class=\"marker " + std::string(e.a == 1 ? "exc" : "cancel-delivered") + "\" d=\"M" + cx + " " +
                        std::to_string(y(e.task) + 4) + " l5 9 l-5 9 l-5 -9 z\"><title>" + esc(names[e.task]) +
                        (e.a == 1 ? " finished with an exception" : " was cancelled (cancellation delivered)") +
                        " at t=" + seconds(e.vtime) + "</title></path>\n";
            }
        } else if (is(e, EventKind::kCancel)) {
            const auto target = static_cast<std::uint32_t>(e.a);
            body += "<path class=\"marker cancel-requested\" d=\"M" + cx + " " + std::to_string(y(target) + 3) +
                    " l6 10 l-12 0 z\"><title>cancel() of " + esc(names[target]) + " requested by " +
                    esc(names[e.task]) + " at t=" + seconds(e.vtime) + "</title></path>\n";
        } else if (is(e, EventKind::kChoice)) {
            // The same sentence as the choices list and `replay`, for every kind of choice.
            body += "<line class=\"choice decisive\" x1=\"" + cx + "\" x2=\"" + cx + "\" y1=\"" + std::to_string(kTop) +
                    "\" y2=\"" + std::to_string(height) + "\"><title>decisive choice " + esc(explained[next_choice++]) +
                    "</title></line>\n";
        } else if (is(e, EventKind::kLine)) {
            const char* cls = line_class(e.text);
            const int ly = y(e.task);
            const std::string r = std::string(cls) == "violation" ? "7" : "4";
            body += "<circle class=\"marker " + std::string(cls) + "\" cx=\"" + cx + "\" cy=\"" + std::to_string(ly + 13) +
                    "\" r=\"" + r + "\"><title>t=" + seconds(e.vtime) + " " + esc(e.name) + ": " + esc(e.text, 300) +
                    "</title></circle>\n";
            if (std::string(cls) == "violation") {
                body += "<text class=\"violation-label\" x=\"" + num(x(i) + 12) + "\" y=\"" + std::to_string(ly + 17) +
                        "\">check failed</text>\n";
            }
        } else if (is(e, EventKind::kWaiting)) {
            body += "<rect class=\"marker stuck\" x=\"" + cx + "\" y=\"" + std::to_string(y(static_cast<std::uint32_t>(e.a)) + 3) +
                    "\" width=\"8\" height=\"20\"><title>" + esc(names[static_cast<std::uint32_t>(e.a)]) +
                    " still waiting when the run ended</title></rect>\n";
        }
    }
    while (!open.empty()) close_step(open.begin()->first, events.size(), "end-of-run");
    std::string out = "<svg class=\"swimlane\" xmlns=\"http://www.w3.org/2000/svg\" data-run=\"" + std::to_string(run.id) +
                      "\" data-base-width=\"" + num(width) + "\" width=\"" + num(width) + "\" height=\"" +
                      std::to_string(height) + "\" viewBox=\"0 0 " + num(width) + " " + std::to_string(height) +
                      "\" preserveAspectRatio=\"none\">\n" + labels + ticks + steps + body + "</svg>\n";
    if (all_events.size() > events.size()) {
        out += "<p class=\"note\">first " + std::to_string(events.size()) + " of " + std::to_string(all_events.size()) +
               " events shown</p>\n";
    }
    return out;
}

namespace {
// Each non-FIFO choice in task terms: which task the choice let run, and which FIFO would have.
std::string choices_html(const std::vector<checker::StoredEvent>& events) {
    std::string items;
    for (const std::string& sentence : reports::explain_choices(events)) items += "<li>" + esc(sentence) + "</li>\n";
    if (items.empty()) return "<p class=\"choices\">No non-FIFO choice: FIFO order alone produces this run.</p>\n";
    return "<ol class=\"choices\">\n" + items + "</ol>\n";
}

std::string trace_lines(const std::vector<checker::StoredEvent>& events) {
    std::string out;
    for (const auto& e : events) {
        if (!is(e, EventKind::kLine)) continue;
        out += esc(format_line(e.vtime, e.name, e.text), 400) + "\n";
    }
    return "<details><summary>trace lines</summary><pre>" + out + "</pre></details>\n";
}

std::string run_section(checker::Store& store, const checker::StoredRun& run, const char* title) {
    std::string out = "<section class=\"run\" data-run=\"" + std::to_string(run.id) + "\"><h4>" + title + ": run " +
                      std::to_string(run.id) + " <span class=\"outcome " + esc(run.outcome) + "\">" + esc(run.outcome) +
                      "</span></h4>\n<p class=\"message\">" + esc(checker::failure_headline(run.outcome, run.message), 2000) +
                      esc(checker::message_backtrace(run.message).empty() ? "" : "\n" + std::string(checker::message_backtrace(run.message)), 6000) +
                      "</p>\n<p>reproduce: <code class=\"repro\">" + esc(checker::repro_command(run.spec)) + "</code></p>\n";
    const auto events = store.events(run.id);
    if (events.empty()) return out + "<p class=\"note\">no events stored for this run</p></section>\n";
    out += choices_html(events);
    out += "<div class=\"lane-scroll\">" + swimlane_svg(run, events) + "</div>\n" + trace_lines(events);
    return out + "</section>\n";
}

constexpr const char* kStyle = R"css(
body{font:14px/1.45 system-ui,sans-serif;margin:0 24px 40px;color:#1d1d1f;background:#fafafa}
h1{margin:18px 0 4px}h2{margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:4px 10px;text-align:left}
td.n{text-align:right}tr.failing td:first-child{border-left:4px solid #d70022}
.failure{background:#fff;border:1px solid #e3b0b6;border-left:6px solid #d70022;border-radius:4px;padding:8px 14px;margin:14px 0}
.failure h3{margin:4px 0;font-size:16px}.signature{font-family:ui-monospace,monospace;color:#8a0016}
code{font-family:ui-monospace,monospace;background:#f0f0f0;padding:1px 4px;border-radius:3px;word-break:break-all}
.outcome{font-size:12px;padding:1px 6px;border-radius:8px;background:#d70022;color:#fff}
.outcome.pass{background:#1a7f37}.message{font-family:ui-monospace,monospace;white-space:pre-wrap}
.runs{display:grid;grid-template-columns:1fr;gap:10px}.run{border-top:1px dashed #ccc;padding-top:6px}
.lane-scroll{overflow-x:auto;border:1px solid #ddd;background:#fff}
svg.swimlane text{font:11px ui-monospace,monospace;fill:#333}
.lane-bg{fill:#fff;stroke:#eee}.lane:nth-child(even) .lane-bg{fill:#f6f8fa}
.tick line{stroke:#ccc;stroke-dasharray:2 3}.tick text{fill:#777}
.step{fill:#4a90d9}.step.yield{fill:#9cc3ea}.step.result{fill:#1a7f37}.step.exception{fill:#d70022}
.step.cancelled{fill:#e36209}.step.end-of-run,.step.next-step{fill:#999}
.marker.line{fill:#555}.marker.violation{fill:#d70022;stroke:#000;stroke-width:1.5}
.marker.exc{fill:#d70022}.marker.cancel,.marker.cancel-requested{fill:#e36209}
.marker.cancel-delivered{fill:#b34700}.marker.agen{fill:#8250df}.marker.warn{fill:#bf8700}
.marker.stuck{fill:#000;opacity:.6}svg.swimlane text.violation-label{fill:#d70022;font-weight:bold}
line.choice{stroke:#d70022;stroke-width:2.5;stroke-dasharray:5 3}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-2px}
.note{color:#777}.zoom{margin:6px 0}
)css";

constexpr const char* kScript = R"js(
(function () {
  var zoom = document.getElementById('zoom');
  function apply() {
    var f = parseFloat(zoom.value);
    document.querySelectorAll('svg.swimlane').forEach(function (svg) {
      svg.setAttribute('width', String(parseFloat(svg.dataset.baseWidth) * f));
    });
    document.getElementById('zoom-value').textContent = f.toFixed(1) + 'x';
  }
  if (zoom) { zoom.addEventListener('input', apply); apply(); }
  document.body.dataset.lanes = String(document.querySelectorAll('svg.swimlane g.lane').length);
  document.body.dataset.ready = '1';
})();
)js";
}  // namespace

std::string html_report(checker::Store& store, const std::string& db_path, std::int64_t campaign) {
    const auto summary = store.summary(campaign);
    const auto groups = group_failures(store, campaign);
    std::map<std::string, std::size_t> signatures;
    for (const auto& g : groups) ++signatures[g.scenario];
    std::int64_t runs = 0;
    std::int64_t failing = 0;
    for (const auto& s : summary) {
        runs += s.runs;
        failing += s.failures;
    }
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>corosim report</title><style>";
    out += kStyle;
    out += "</style></head>\n<body>\n<h1>corosim report</h1>\n<p>" + esc(db_path) + ": " + counted(runs, "run") + ", " +
           std::to_string(failing) + " failing, <strong>" + counted(groups.size(), "distinct failure") + "</strong>.</p>\n";
    out += "<h2>Scenarios</h2>\n<table class=\"summary\"><tr><th>scenario</th><th>runs</th><th>failing runs</th>"
           "<th>distinct failures</th><th>distinct schedules</th><th>policies</th></tr>\n";
    for (const auto& s : summary) {
        const std::size_t n = signatures.contains(s.scenario) ? signatures[s.scenario] : 0;
        out += std::string("<tr") + (n ? " class=\"failing\"" : "") + "><td>" + esc(s.scenario) + "</td><td class=\"n\">" +
               std::to_string(s.runs) + "</td><td class=\"n\">" + std::to_string(s.failures) + "</td><td class=\"n\">" +
               std::to_string(n) + "</td><td class=\"n\">" + std::to_string(s.distinct_hashes) + "</td><td>" +
               esc(s.policies) + "</td></tr>\n";
    }
    out += "</table>\n";
    if (groups.empty()) return out + "<p>Every run passed.</p><script>" + kScript + "</script></body></html>\n";
    out += "<h2>Failures</h2>\n<p class=\"legend\"><span><i style=\"background:#4a90d9\"></i>task step (ends in an "
           "await)</span><span><i style=\"background:#1a7f37\"></i>last step (returned)</span><span><i "
           "style=\"background:#d70022\"></i>exception / failed check()</span><span><i style=\"background:#e36209\"></i>"
           "cancellation</span><span><i style=\"background:#8250df\"></i>async generator</span><span><i "
           "style=\"background:repeating-linear-gradient(90deg,#d70022 0 5px,#fff 5px 8px)\"></i>decisive (non-FIFO) "
           "scheduler choice</span>Hover a mark for details.</p>\n<p class=\"zoom\">zoom <input id=\"zoom\" "
           "type=\"range\" min=\"0.5\" max=\"6\" step=\"0.5\" value=\"1\"> <span id=\"zoom-value\">1.0x</span></p>\n";
    for (const auto& g : groups) {
        const auto& f = g.first;
        out += "<article class=\"failure\" data-scenario=\"" + esc(g.scenario) + "\"><h3>" + esc(g.scenario) +
               ": <span class=\"signature\">" + esc(g.signature, 500) + "</span></h3>\n<p>" +
               std::to_string(g.occurrences) + (g.occurrences == 1 ? " failing run" : " failing runs") +
               "; replay from the store: <code>" + esc(checker::replay_command(db_path, f.id)) + "</code></p>\n";
        out += "<div class=\"runs\">\n";
        if (g.shrunk) {
            const std::string title = "shrunk (" + std::to_string(checker::non_default_choices(f.spec.choices)) + " -> " +
                                      std::to_string(checker::non_default_choices(g.shrunk->spec.choices)) +
                                      " non-FIFO choices)";
            out += run_section(store, *g.shrunk, title.c_str());
        }
        out += run_section(store, f, "first failing run");
        out += "</div></article>\n";
    }
    return out + "<script>" + kScript + "</script>\n</body></html>\n";
}

}  // namespace corosim::reports
