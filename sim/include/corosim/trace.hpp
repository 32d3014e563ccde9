// trace.hpp: the run's event record (DESIGN 4, SEMANTICS T). Every event is a fixed-size record;
// the conformance view renders the `Line` events exactly as the Python reference loop prints
// them; the trace hash folds every event (internal ones too) at every level, so `off`, `summary`
// and `full` runs of the same schedule share one hash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "corosim/time.hpp"

namespace corosim {

/// How much of the trace is kept in memory; the hash is computed at every level.
enum class TraceLevel : std::uint8_t {
    kOff,      ///< hash only
    kSummary,  ///< the conformance view (Line events)
    kFull,     ///< every event, internal ones included
};

/// Event kinds. `kLine` is the conformance view; the rest are internal (shown with `--trace=full`).
enum class EventKind : std::uint16_t {
    kLine = 0,         ///< a conformance line: str = "kind detail", name = task column
    kTaskCreate = 1,   ///< a = new task id, name = its name
    kStep = 2,         ///< task = stepping task
    kSuspend = 3,      ///< a = id of the future waited on (0 for a bare yield)
    kTaskDone = 4,     ///< a = 0 result, 1 exception, 2 cancelled
    kTimerSet = 5,     ///< a = when (ns), b = timer sequence number
    kTimerFire = 6,    ///< b = timer sequence number
    kChoice = 7,       ///< a = options | FIFO's task << 32, b = chosen | ChoiceKind << 32 (non-default choices only)
    kCancel = 8,       ///< a = id of the cancelled task
    kWaiting = 9,      ///< deadlock dump: a = waiting task, b = future id, name = task name
};

/// One fixed-size trace record; its position in the trace is its sequence number.
struct Event {
    Nanos vtime = 0;         ///< virtual time when recorded
    std::uint32_t task = 0;  ///< running task id, 0 when none
    EventKind kind = EventKind::kLine;  ///< what happened; it says what a and b hold
    std::int64_t a = 0;      ///< first operand (see EventKind)
    std::int64_t b = 0;      ///< second operand (see EventKind)
    std::uint32_t name = 0;  ///< interned string id (task column or task name), 0 = none
    std::uint32_t str = 0;   ///< interned string id (line text), 0 = none
};

/// Append-only storage for a trace's events in fixed-size chunks: growing never copies, and
/// chunks come from (and go back to) a per-thread pool, so the runs of a process reuse warm
/// memory instead of faulting in fresh pages. Both were full tracing's cost with a vector: half
/// its doubling copies, half first touches of new pages (docs/performance.md).
class EventLog {
public:
    /// Events per chunk (320 KiB).
    static constexpr std::size_t kChunk = 8192;

    EventLog() = default;
    EventLog(const EventLog& other);                 ///< A deep copy (its own chunks).
    EventLog& operator=(const EventLog& other);      ///< A deep copy (its own chunks).
    EventLog(EventLog&& other) noexcept;             ///< Takes the chunks; `other` is left empty.
    EventLog& operator=(EventLog&& other) noexcept;  ///< Takes the chunks; `other` is left empty.
    ~EventLog();

    /// Appends one event.
    void push_back(const Event& e) {
        if (next_ == end_) [[unlikely]]
            grow();
        *next_++ = e;
    }
    /// Number of events.
    std::size_t size() const noexcept {
        return chunks_.empty() ? 0 : (chunks_.size() - 1) * kChunk + static_cast<std::size_t>(next_ - chunks_.back());
    }
    /// True when there are no events.
    bool empty() const noexcept { return next_ == (chunks_.empty() ? nullptr : chunks_.front()); }
    /// The event at position `i` (< size()).
    const Event& operator[](std::size_t i) const noexcept { return chunks_[i / kChunk][i % kChunk]; }

    /// Forward iteration in recording order.
    class const_iterator {
    public:
        using iterator_category = std::forward_iterator_tag;  ///< std::iterator_traits
        using value_type = Event;                             ///< std::iterator_traits
        using difference_type = std::ptrdiff_t;               ///< std::iterator_traits
        using pointer = const Event*;                         ///< std::iterator_traits
        using reference = const Event&;                       ///< std::iterator_traits
        const_iterator() = default;
        const_iterator(const EventLog* log, std::size_t i) : log_(log), i_(i) {}  ///< At position `i` of `log`.
        reference operator*() const noexcept { return (*log_)[i_]; }     ///< The event here.
        pointer operator->() const noexcept { return &(*log_)[i_]; }  ///< The event here.
        const_iterator& operator++() noexcept {  ///< To the next event.
            ++i_;
            return *this;
        }
        const_iterator operator++(int) noexcept {  ///< To the next event.
            const_iterator old = *this;
            ++i_;
            return old;
        }
        bool operator==(const const_iterator& o) const noexcept { return i_ == o.i_; }  ///< Same position.

    private:
        const EventLog* log_ = nullptr;
        std::size_t i_ = 0;
    };
    /// The first event.
    const_iterator begin() const noexcept { return {this, 0}; }
    /// Past the last event.
    const_iterator end() const noexcept { return {this, size()}; }

private:
    void grow();
    void release() noexcept;

    std::vector<Event*> chunks_;
    Event* next_ = nullptr;  // where the next event goes, in chunks_.back()
    Event* end_ = nullptr;   // chunks_.back() + kChunk
};

/// 64-bit FNV-1a over 64-bit little-endian words; the trace hash's building block.
class Fnv64 {
public:
    /// Mixes in one 64-bit word.
    void word(std::uint64_t w) noexcept { h_ = (h_ ^ w) * 0x100000001b3ULL; }
    /// Mixes in a string's bytes, then its length (so "ab"+"c" and "a"+"bc" differ).
    void bytes(std::string_view s) noexcept {
        for (const unsigned char c : s) h_ = (h_ ^ c) * 0x100000001b3ULL;
        word(s.size());
    }
    /// The hash so far.
    std::uint64_t value() const noexcept { return h_; }

private:
    std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

/// The in-memory trace of one run.
class Trace {
public:
    /// An empty trace that keeps events at `level` (the hash covers every event at any level).
    explicit Trace(TraceLevel level = TraceLevel::kSummary);

    /// Records an internal event (no strings).
    void record(Nanos t, std::uint32_t task, EventKind kind, std::int64_t a = 0, std::int64_t b = 0) {
        hash_.word(static_cast<std::uint64_t>(t));
        hash_.word(task);
        hash_.word(static_cast<std::uint64_t>(kind));
        hash_.word(static_cast<std::uint64_t>(a));
        hash_.word(static_cast<std::uint64_t>(b));
        ++count_;
        if (level_ == TraceLevel::kFull) events_.push_back({t, task, kind, a, b, 0, 0});
    }
    /// Records an event carrying strings (conformance lines, task names).
    void record_text(Nanos t, std::uint32_t task, EventKind kind, std::int64_t a, std::int64_t b,
                     std::string_view name, std::string_view text);

    /// The level this trace keeps.
    TraceLevel level() const noexcept { return level_; }
    /// Events kept (all of them at kFull, the Line events at kSummary, none at kOff).
    const EventLog& events() const noexcept { return events_; }
    /// Number of events recorded, kept or not.
    std::uint64_t count() const noexcept { return count_; }
    /// The trace hash so far.
    std::uint64_t hash() const noexcept { return hash_.value(); }
    /// The interned string with id `id` ("" for 0).
    const std::string& str(std::uint32_t id) const { return strings_[id]; }

    /// One event in the canonical text form; `names` maps task ids to names for internal events.
    std::string render(const Event& e) const;
    /// The canonical text of the kept events, one per line; internal events only when `full`.
    std::string render_all(bool full) const;

private:
    void hash_event(Nanos t, std::uint32_t task, EventKind kind, std::int64_t a, std::int64_t b,
                    std::uint64_t name_hash, std::uint64_t text_hash) noexcept {
        hash_.word(static_cast<std::uint64_t>(t));
        hash_.word(task);
        hash_.word(static_cast<std::uint64_t>(kind));
        hash_.word(static_cast<std::uint64_t>(a));
        hash_.word(static_cast<std::uint64_t>(b));
        hash_.word(name_hash);
        hash_.word(text_hash);
    }
    std::uint32_t intern(std::string_view s);

    TraceLevel level_;
    std::uint64_t count_ = 0;
    Fnv64 hash_;
    EventLog events_;
    std::vector<std::string> strings_;
    std::map<std::string, std::uint32_t, std::less<>> ids_;
    std::vector<std::uint32_t> task_names_;  // task id -> name id, for rendering internal events
};

/// Hex form of a trace hash: 16 lowercase digits.
std::string hash_hex(std::uint64_t h);

/// The conformance line layout `f"{ms:6d} {task:<12} {text}".rstrip()`.
std::string format_line(Nanos t, std::string_view task, std::string_view text);

}  // namespace corosim
