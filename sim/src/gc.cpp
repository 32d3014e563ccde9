#include "corosim/gc.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "corosim/task.hpp"

namespace corosim {

namespace {

// CPython's algorithm (Modules/gcmodule.c: update_refs, subtract_refs, move_unreachable) on
// the objects a collection can see: start from each object's reference count, subtract the
// references the graph explains, treat what is left as held from outside (a root), and mark
// everything reachable from a root.
struct Node {
    FutureBase* obj;
    std::int64_t outside;  // references not explained by an edge of the graph
    bool pinned = false;  // a task that is running, scheduled or finished: never collected here
    bool reachable = false;
    std::vector<std::size_t> edges;
};

struct Frame {
    const char* begin;
    std::size_t size;
    bool contains(const void* p) const noexcept {
        const char* c = static_cast<const char*>(p);
        return c >= begin && c < begin + size;
    }
};

class Graph {
public:
    std::size_t node(FutureBase* f) {
        // Keyed by address for lookups only; never iterated, so nothing depends on its order.
        auto [it, fresh] = index_.try_emplace(f, nodes_.size());
        if (fresh) nodes_.push_back(Node{f, static_cast<std::int64_t>(f->ref_count()), false, false, {}});
        return it->second;
    }
    const std::size_t* find(const FutureBase* f) const {
        auto it = index_.find(f);
        return it == index_.end() ? nullptr : &it->second;
    }
    void edge(std::size_t from, std::size_t to) {
        nodes_[from].edges.push_back(to);
        --nodes_[to].outside;
    }
    std::vector<Node>& nodes() noexcept { return nodes_; }

    void mark() {
        std::vector<std::size_t> stack;
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
            // A negative count would be a reference explained twice: keep it, to be safe.
            if (nodes_[i].pinned || nodes_[i].outside != 0) {
                nodes_[i].reachable = true;
                stack.push_back(i);
            }
        }
        while (!stack.empty()) {
            const std::size_t i = stack.back();
            stack.pop_back();
            for (std::size_t j : nodes_[i].edges) {
                if (!nodes_[j].reachable) {
                    nodes_[j].reachable = true;
                    stack.push_back(j);
                }
            }
        }
    }

private:
    std::vector<Node> nodes_;
    std::unordered_map<const FutureBase*, std::size_t> index_;
};

// The frames of a suspended task's chain, innermost first, as far up as `co_await coro` links
// them (an async generator's frame ends the walk: its awaiter is not recorded).
std::vector<Frame> chain_frames(const TaskBase& t) {
    std::vector<Frame> frames;
    const detail::PromiseBase* p = t.suspended_leaf();
    std::coroutine_handle<> h = t.suspended_leaf_handle();
    while (p != nullptr && h) {
        frames.push_back(Frame{static_cast<const char*>(h.address()), p->frame_size()});
        h = p->continuation();
        p = p->parent();
    }
    return frames;
}

}  // namespace

std::size_t collect_garbage(Loop& loop) {
    Graph g;
    const std::vector<TaskBase*> tasks = loop.pending_tasks();
    for (TaskBase* t : tasks) g.node(t);

    std::vector<std::pair<std::size_t, std::vector<Frame>>> suspended;
    for (TaskBase* t : tasks) {
        const std::size_t ti = *g.find(t);
        if (t == loop.current_task() || t->done() || !t->has_frames() || t->suspended_leaf() == nullptr) {
            g.nodes()[ti].pinned = true;
            continue;
        }
        g.edge(ti, g.node(t->fut_waiter()));  // Task._fut_waiter
        suspended.emplace_back(ti, chain_frames(*t));
    }
    // Each future's pending wakeup callbacks hold their task (Task.__wakeup bound method).
    for (std::size_t i = 0; i < g.nodes().size(); ++i) {
        g.nodes()[i].obj->for_each_callback([&](const detail::Callback& cb) {
            if (TaskBase* woken = TaskBase::woken_by(cb)) {
                if (const std::size_t* w = g.find(woken)) g.edge(i, *w);
            }
        });
    }
    // Handles stored in a suspended chain's frames are references from that task.
    const detail::TrackedNode& head = loop.tracked_handles();
    for (const detail::TrackedNode* n = head.next; n != &head; n = n->next) {
        const std::size_t* target = g.find(n->target);
        if (target == nullptr) continue;
        for (const auto& [ti, frames] : suspended) {
            bool inside = false;
            for (const Frame& f : frames) inside = inside || f.contains(n);
            if (inside) {
                g.edge(ti, *target);
                break;
            }
        }
    }
    g.mark();

    // Collected in creation order (CPython finalises its unreachable list in allocation order
    // for objects that never survived a collection, which scenario tasks are).
    std::vector<detail::Ref<TaskBase>> garbage;
    for (const auto& [ti, frames] : suspended) {
        if (!g.nodes()[ti].reachable) garbage.emplace_back(static_cast<TaskBase*>(g.nodes()[ti].obj));
    }
    for (const auto& t : garbage) {
        if (!t->done() && t->has_frames()) t->collect();
    }
    return garbage.size();
}

std::size_t gc_point(std::string_view label) {
    Loop& loop = running_loop();
    loop.line("gc label=" + std::string(label));
    return collect_garbage(loop);
}

}  // namespace corosim
