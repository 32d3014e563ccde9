#include "corosim/trace.hpp"

#include <cstdio>

namespace corosim {

namespace {
std::uint64_t text_hash(std::string_view s) {
    Fnv64 h;
    h.bytes(s);
    return h.value();
}

const char* kind_name(EventKind k) {
    switch (k) {
        case EventKind::kLine: return "line";
        case EventKind::kTaskCreate: return "sim.task";
        case EventKind::kStep: return "sim.step";
        case EventKind::kSuspend: return "sim.suspend";
        case EventKind::kTaskDone: return "sim.done";
        case EventKind::kTimerSet: return "sim.timer";
        case EventKind::kTimerFire: return "sim.fire";
        case EventKind::kChoice: return "sim.choice";
        case EventKind::kCancel: return "sim.cancel";
        case EventKind::kWaiting: return "sim.waiting";
    }
    return "sim.unknown";
}
}  // namespace

Trace::Trace(TraceLevel level) : level_(level) {
    strings_.emplace_back();
    ids_.emplace("", 0);
    task_names_.push_back(0);
}

std::uint32_t Trace::intern(std::string_view s) {
    if (auto it = ids_.find(s); it != ids_.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(strings_.size());
    strings_.emplace_back(s);
    ids_.emplace(std::string(s), id);
    return id;
}

void Trace::record_text(Nanos t, std::uint32_t task, EventKind kind, std::int64_t a, std::int64_t b,
                        std::string_view name, std::string_view text) {
    hash_event(t, task, kind, a, b, text_hash(name), text_hash(text));
    ++count_;
    if (level_ == TraceLevel::kOff) return;
    if (kind == EventKind::kTaskCreate) {
        const auto id = static_cast<std::size_t>(a);
        if (task_names_.size() <= id) task_names_.resize(id + 1, 0);
        task_names_[id] = intern(name);
    }
    if (level_ == TraceLevel::kFull || kind == EventKind::kLine) {
        events_.push_back({t, task, kind, a, b, intern(name), intern(text)});
    }
}

std::string format_line(Nanos t, std::string_view task, std::string_view text) {
    char head[32];
    std::snprintf(head, sizeof head, "%6lld ", static_cast<long long>(round_ms(t)));
    std::string out = head;
    out += task;
    if (task.size() < 12) out.append(12 - task.size(), ' ');
    out += ' ';
    out += text;
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

std::string Trace::render(const Event& e) const {
    if (e.kind == EventKind::kLine) {
        return format_line(e.vtime, e.name ? std::string_view(strings_[e.name]) : "-", strings_[e.str]);
    }
    const auto task_name = [this](std::uint32_t id) -> std::string {
        if (id == 0) return "-";
        if (id < task_names_.size() && task_names_[id] != 0) return strings_[task_names_[id]];
        std::string anon = "#";  // GCC 12's -Wrestrict misfires on `"#" + std::to_string(id)`
        anon += std::to_string(id);
        return anon;
    };
    std::string text = kind_name(e.kind);
    switch (e.kind) {
        case EventKind::kTaskCreate: text += " id=" + std::to_string(e.a) + " name=" + strings_[e.name]; break;
        case EventKind::kSuspend: text += e.a ? " on=future#" + std::to_string(e.a) : " on=yield"; break;
        case EventKind::kTaskDone:
            text += e.a == 0 ? " result" : e.a == 1 ? " exception" : " cancelled";
            break;
        case EventKind::kTimerSet:
            text += " id=" + std::to_string(e.b) + " when_ns=" + std::to_string(e.a);
            break;
        case EventKind::kTimerFire: text += " id=" + std::to_string(e.b); break;
        case EventKind::kChoice:
        {
            static constexpr const char* kKinds[] = {"", " kind=jitter", " kind=buggify", " kind=delay",
                                                     " kind=fault"};
            const auto kind = static_cast<std::uint64_t>(e.b) >> 32;
            text += " n=" + std::to_string(e.a & 0xffffffff) + " pick=" + std::to_string(e.b & 0xffffffff) +
                    (kind < 5 ? kKinds[kind] : "");
            // kRunnable: the task FIFO order would have run instead.
            if (const auto fifo = static_cast<std::uint32_t>(static_cast<std::uint64_t>(e.a) >> 32); fifo != 0) {
                text += " fifo=" + task_name(fifo);
            }
        }
            break;
        case EventKind::kCancel: text += " task=" + task_name(static_cast<std::uint32_t>(e.a)); break;
        case EventKind::kWaiting:
            text += " task=" + task_name(static_cast<std::uint32_t>(e.a)) +
                    (e.b ? " on=future#" + std::to_string(e.b) : " on=nothing");
            break;
        default: break;
    }
    return format_line(e.vtime, task_name(e.task), text);
}

std::string Trace::render_all(bool full) const {
    std::string out;
    for (const Event& e : events_) {
        if (!full && e.kind != EventKind::kLine) continue;
        out += render(e);
        out += '\n';
    }
    return out;
}

std::string hash_hex(std::uint64_t h) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

}  // namespace corosim
