// history.cpp: the Wing-Gong search. An operation may come next when no other pending operation
// completed before it was invoked; a read must see the current value. Visited (set of placed
// operations, value) states are remembered, so each is explored once.
#include "corosim/net/history.hpp"

#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

namespace corosim::net {

namespace {
std::string ms(Nanos t) { return std::to_string(t / 1'000'000) + "ms"; }
constexpr Nanos kNever = std::numeric_limits<Nanos>::max();
}  // namespace

std::string Op::describe() const {
    std::string out = "c" + std::to_string(client);
    if (key.empty()) {
        out += write ? " write(" + std::to_string(value) + ")" : " read()";
    } else {
        out += write ? " put(" + key + ", " + std::to_string(value) + ")" : " get(" + key + ")";
    }
    if (!write) out += complete ? "->" + std::to_string(value) : "->?";
    return out + " [" + ms(invoke) + ", " + (complete ? ms(*complete) : std::string("?")) + "]";
}

std::size_t History::invoke(int client, bool write, std::int64_t value, Nanos now) {
    ops_.push_back(Op{client, {}, write, value, now, std::nullopt});
    dropped_.push_back(false);
    return ops_.size() - 1;
}

std::size_t History::invoke(int client, const std::string& key, bool write, std::int64_t value, Nanos now) {
    ops_.push_back(Op{client, key, write, value, now, std::nullopt});
    dropped_.push_back(false);
    return ops_.size() - 1;
}

void History::complete(std::size_t i, Nanos now, std::optional<std::int64_t> read_value) {
    ops_.at(i).complete = now;
    if (read_value) ops_.at(i).value = *read_value;
}

void History::drop(std::size_t i) { dropped_.at(i) = true; }

namespace {

// The search over one register's operations (unknown reads and refused ones already left out).
LinearizabilityResult search_register(const std::vector<Op>& ops, std::int64_t initial, const char* holder) {
    if (ops.size() > 64) throw std::invalid_argument("linearizability check: more than 64 operations on one register");
    const std::size_t n = ops.size();
    std::uint64_t required = 0;  // operations that must be placed: every completed one
    for (std::size_t i = 0; i < n; ++i) {
        if (ops[i].complete) required |= std::uint64_t{1} << i;
    }
    std::set<std::pair<std::uint64_t, std::int64_t>> seen;
    std::vector<std::size_t> order;
    std::vector<std::size_t> best;
    std::uint64_t best_mask = 0;
    std::int64_t best_value = initial;

    // Depth-first; `order` holds the placed operations.
    auto search = [&](auto&& self, std::uint64_t placed, std::int64_t value) -> bool {
        if ((placed & required) == required) return true;
        if (!seen.insert({placed, value}).second) return false;
        if (order.size() > best.size() || best.empty()) {
            best = order;
            best_mask = placed;
            best_value = value;
        }
        // The earliest completion among pending operations bounds which may come next.
        Nanos horizon = kNever;
        for (std::size_t j = 0; j < n; ++j) {
            if ((placed >> j & 1) == 0 && ops[j].complete && *ops[j].complete < horizon) horizon = *ops[j].complete;
        }
        for (std::size_t i = 0; i < n; ++i) {
            if ((placed >> i & 1) != 0 || ops[i].invoke > horizon) continue;
            if (!ops[i].write && ops[i].value != value) continue;
            order.push_back(i);
            if (self(self, placed | std::uint64_t{1} << i, ops[i].write ? ops[i].value : value)) return true;
            order.pop_back();
        }
        return false;
    };
    LinearizabilityResult result;
    if (search(search, 0, initial)) return result;
    result.ok = false;
    std::string text = "no linearization; the longest explains:";
    if (best.empty()) text += " nothing";
    for (std::size_t i : best) text += " " + ops[i].describe() + ";";
    text += std::string(" then ") + holder + " holds " + std::to_string(best_value) + " and none of these can come next:";
    Nanos horizon = kNever;
    for (std::size_t j = 0; j < n; ++j) {
        if ((best_mask >> j & 1) == 0 && ops[j].complete && *ops[j].complete < horizon) horizon = *ops[j].complete;
    }
    for (std::size_t i = 0; i < n; ++i) {
        if ((best_mask >> i & 1) == 0 && ops[i].invoke <= horizon && ops[i].complete) text += " " + ops[i].describe() + ";";
    }
    result.explanation = text;
    return result;
}

// Unknown reads and refused operations constrain nothing.
bool counts(const History& history, std::size_t i) {
    const Op& op = history.ops()[i];
    return !history.dropped(i) && (op.write || op.complete);
}

}  // namespace

LinearizabilityResult check_register(const History& history, std::int64_t initial) {
    std::vector<Op> ops;
    for (std::size_t i = 0; i < history.ops().size(); ++i) {
        if (counts(history, i)) ops.push_back(history.ops()[i]);
    }
    return search_register(ops, initial, "the register");
}

LinearizabilityResult check_kv(const History& history, std::int64_t initial) {
    std::map<std::string, std::vector<Op>> by_key;  // ordered: the first failing key is stable
    for (std::size_t i = 0; i < history.ops().size(); ++i) {
        if (counts(history, i)) by_key[history.ops()[i].key].push_back(history.ops()[i]);
    }
    for (const auto& [key, ops] : by_key) {
        LinearizabilityResult r = search_register(ops, initial, "the key");
        if (!r.ok) {
            r.explanation = "key " + key + ": " + r.explanation;
            return r;
        }
    }
    return {};
}

}  // namespace corosim::net
