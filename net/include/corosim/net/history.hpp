// history.hpp: a recorded history of operations on one register or a key-value map, and a
// linearizability check over it (Wing & Gong 1993, with Lowe's memoisation of visited states): is
// there one total order of the operations, consistent with real time, in which every read returns
// the value of the latest write? A map is checked key by key: linearizability is local (Herlihy &
// Wing), so a map history of single-key gets and puts is linearizable exactly when each key's is.
// Meant for the small histories of a scenario (at most 64 operations per key).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "corosim/time.hpp"

namespace corosim::net {

/// One operation: a write of `value`, or a read that returned `value` (of `key`, in a map).
struct Op {
    int client = 0;           ///< which client made it (`c1` in describe())
    std::string key;          ///< the key, in a map; empty for a register
    bool write = false;       ///< a write; else a read
    std::int64_t value = 0;   ///< the value written, or the value the read returned
    Nanos invoke = 0;         ///< when it was invoked (virtual time)
    /// When the reply arrived; none when the outcome is unknown (a timeout): such a write may
    /// take effect at any point after its invocation, or never; such a read constrains nothing.
    std::optional<Nanos> complete;

    /// `c1 write(3) [10ms, 14ms]`, `c2 read()->3 [20ms, ?]`; in a map `c1 put(x, 3) [...]`,
    /// `c2 get(x)->3 [...]`.
    std::string describe() const;
};

/// A register's or a map's history, recorded by the scenario's clients.
class History {
public:
    /// Records an invocation at `now` and returns its index (the value is the write's).
    std::size_t invoke(int client, bool write, std::int64_t value, Nanos now);
    /// The same for an operation on `key` of a map (check_kv): a put of `value` or a get.
    std::size_t invoke(int client, const std::string& key, bool write, std::int64_t value, Nanos now);
    /// Records the reply to operation `i` at `now`; a read passes the value it returned.
    void complete(std::size_t i, Nanos now, std::optional<std::int64_t> read_value = std::nullopt);
    /// Forgets operation `i` (it certainly had no effect, e.g. the server refused it).
    void drop(std::size_t i);
    /// Every operation recorded, in invocation order (dropped ones included; see dropped()).
    const std::vector<Op>& ops() const noexcept { return ops_; }
    /// True when drop(i) was called.
    bool dropped(std::size_t i) const { return dropped_.at(i); }

private:
    std::vector<Op> ops_;
    std::vector<bool> dropped_;
};

/// What check_register or check_kv found.
struct LinearizabilityResult {
    bool ok = true;  ///< some order of the operations explains every reply
    /// When not ok: the longest order that explains a prefix of the history, then the
    /// operations none of which can come next.
    std::string explanation;
};

/// Wing-Gong search over `history` for a register whose value starts at `initial`.
LinearizabilityResult check_register(const History& history, std::int64_t initial);

/// The same search for a key-value map whose every key starts at `initial`, one key at a time;
/// when a key has no linearization the explanation names it (`key x: no linearization; ...`)
/// and lists its operations only.
LinearizabilityResult check_kv(const History& history, std::int64_t initial);

}  // namespace corosim::net
