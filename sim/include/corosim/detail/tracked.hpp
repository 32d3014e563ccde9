// tracked.hpp: the list of Future/Task handles a loop keeps so that a collection (gc_point,
// SEMANTICS H2) can tell which references to a future live inside a coroutine frame: a
// reference it cannot place is treated as coming from outside, which keeps its target alive.
#pragma once

namespace corosim {
class FutureBase;
}

namespace corosim::detail {

/// A link in a loop's circular list of handles; `target` is the state the handle owns.
struct TrackedNode {
    TrackedNode* prev = nullptr;
    TrackedNode* next = nullptr;
    FutureBase* target = nullptr;

    /// Inserts this node after `head`.
    void link_after(TrackedNode& head) noexcept {
        prev = &head;
        next = head.next;
        head.next->prev = this;
        head.next = this;
    }
    /// Leaves the list; a no-op when not linked (or when the loop already detached it).
    void unlink() noexcept {
        if (prev == nullptr) return;
        prev->next = next;
        next->prev = prev;
        prev = next = nullptr;
    }
};

}  // namespace corosim::detail
