#include "corosim/trace.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <new>
#include <utility>

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

namespace {
// The chunks a thread's finished traces gave back, reused by its next ones. Capped, so a process
// keeps at most this much after a huge trace (a full trace of W2, 2M events, fits).
class ChunkPool {
public:
    static constexpr std::size_t kMaxChunks = 1024;  // 320 MiB
    ChunkPool() = default;
    ChunkPool(const ChunkPool&) = delete;
    ChunkPool& operator=(const ChunkPool&) = delete;
    ~ChunkPool() {
        for (Event* c : free_) deallocate(c);
    }
    Event* take() {
        if (free_.empty()) return static_cast<Event*>(::operator new(EventLog::kChunk * sizeof(Event)));
        Event* c = free_.back();
        free_.pop_back();
        return c;
    }
    void give(Event* c) noexcept {
        if (free_.size() < kMaxChunks) {
            try {
                free_.push_back(c);
                return;
            } catch (...) {
            }
        }
        deallocate(c);
    }

private:
    static void deallocate(Event* c) noexcept { ::operator delete(c); }
    std::vector<Event*> free_;
};

ChunkPool& pool() {
    thread_local ChunkPool p;
    return p;
}
}  // namespace

// Event is an implicit-lifetime aggregate: the events in a chunk from operator new begin their
// lifetime when assigned (push_back) or copied in (the copy constructor).
void EventLog::grow() {
    Event* c = pool().take();
    try {
        chunks_.push_back(c);
    } catch (...) {
        pool().give(c);
        throw;
    }
    next_ = c;
    end_ = c + kChunk;
}

void EventLog::release() noexcept {
    for (Event* c : chunks_) pool().give(c);
    chunks_.clear();
    next_ = end_ = nullptr;
}

EventLog::~EventLog() { release(); }

EventLog::EventLog(const EventLog& other) {
    for (std::size_t i = 0; i < other.chunks_.size(); ++i) {
        grow();
        const std::size_t n = i + 1 < other.chunks_.size() ? kChunk : static_cast<std::size_t>(other.next_ - other.chunks_[i]);
        next_ = std::copy_n(other.chunks_[i], n, next_);
    }
}

EventLog& EventLog::operator=(const EventLog& other) {
    if (this != &other) {
        EventLog copy(other);
        *this = std::move(copy);
    }
    return *this;
}

EventLog::EventLog(EventLog&& other) noexcept
    : chunks_(std::move(other.chunks_)), next_(std::exchange(other.next_, nullptr)), end_(std::exchange(other.end_, nullptr)) {
    other.chunks_.clear();
}

EventLog& EventLog::operator=(EventLog&& other) noexcept {
    if (this != &other) {
        release();
        chunks_ = std::move(other.chunks_);
        other.chunks_.clear();
        next_ = std::exchange(other.next_, nullptr);
        end_ = std::exchange(other.end_, nullptr);
    }
    return *this;
}

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
