#include "corosim/scheduler/exhaustive.hpp"

#include <algorithm>

namespace corosim::sched {

class ExhaustivePolicy final : public Policy {
public:
    explicit ExhaustivePolicy(ExhaustiveSearch& search) : search_(search) {}
    std::uint32_t choose(const ChoicePoint& point) override { return search_.on_choice(point); }
    std::string name() const override { return "replay"; }

private:
    ExhaustiveSearch& search_;
};

std::unique_ptr<Policy> ExhaustiveSearch::policy() {
    cursor_ = 0;
    redundant_ = false;
    diverged_ = false;
    return std::make_unique<ExhaustivePolicy>(*this);
}

bool ExhaustiveSearch::allowed(const Node& node, std::uint32_t option) const {
    if (option != 0 && node.preemptions_before + 1 > bound_) return false;
    const std::uint64_t key = node.keys[option];
    return key == 0 || std::find(node.sleep.begin(), node.sleep.end(), key) == node.sleep.end();
}

std::uint32_t ExhaustiveSearch::on_choice(const ChoicePoint& point) {
    if (point.kind != ChoiceKind::kRunnable) return 0;
    const std::size_t at = cursor_++;
    if (at < nodes_.size()) {
        if (nodes_[at].n != point.n) diverged_ = true;
        return nodes_[at].chosen < point.n ? nodes_[at].chosen : 0;
    }
    if (redundant_) return 0;  // the rest of a redundant run is not recorded
    Node node;
    node.n = point.n;
    node.keys.resize(point.n);
    if (reduction_) {
        for (std::uint32_t i = 0; i < point.n; ++i) node.keys[i] = point.internal(i);
    }
    if (!nodes_.empty()) {
        const Node& parent = nodes_.back();
        node.preemptions_before = parent.preemptions_before + (parent.chosen != 0 ? 1 : 0);
        // Sleep sets: what slept at the parent still sleeps here if it commutes with what the
        // parent ran, i.e. when both are internal.
        if (reduction_ && parent.keys[parent.chosen] != 0) {
            for (const std::uint64_t k : parent.sleep) {
                if (std::find(node.keys.begin(), node.keys.end(), k) != node.keys.end()) node.sleep.push_back(k);
            }
        }
    }
    std::uint32_t pick = 0;
    while (pick < node.n && !allowed(node, pick)) ++pick;
    if (pick == node.n) {
        // Every option is asleep or over the bound: each continuation of this path is explored
        // elsewhere. The run goes on (FIFO) but counts for nothing.
        redundant_ = true;
        ++pruned_;
        return 0;
    }
    node.chosen = pick;
    nodes_.push_back(std::move(node));
    return pick;
}

bool ExhaustiveSearch::advance() {
    while (!nodes_.empty()) {
        Node& node = nodes_.back();
        if (reduction_ && node.keys[node.chosen] != 0) node.sleep.push_back(node.keys[node.chosen]);
        for (std::uint32_t c = node.chosen + 1; c < node.n; ++c) {
            if (allowed(node, c)) {
                node.chosen = c;
                return true;
            }
            if (c != 0 && node.preemptions_before + 1 <= bound_) ++pruned_;  // asleep
        }
        nodes_.pop_back();
    }
    return false;
}

std::vector<std::uint32_t> ExhaustiveSearch::path() const {
    std::vector<std::uint32_t> out;
    out.reserve(nodes_.size());
    for (const Node& n : nodes_) out.push_back(n.chosen);
    while (!out.empty() && out.back() == 0) out.pop_back();
    return out;
}

}  // namespace corosim::sched
