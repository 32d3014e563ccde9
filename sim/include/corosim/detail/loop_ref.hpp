// loop_ref.hpp: how an object that can outlive its run names its loop. A raw Loop* kept in a
// Handle, an async generator or a sync primitive dangles once run() returns and the Loop is
// freed; instead they share the loop's anchor, which ~Loop clears, so a reference kept past its
// run reads "no loop" rather than freed memory (as futures do through ~Loop's orphan()).
#pragma once

#include <cstdint>
#include <utility>

namespace corosim {
class Loop;
}

namespace corosim::detail {

/// A loop's liveness cell, owned jointly by the loop and every LoopRef to it.
struct LoopAnchor {
    Loop* loop;          ///< null once the loop is destroyed
    std::uint32_t refs;  ///< the loop's own reference counts too
};

/// A counted reference to a loop's anchor (single-threaded, like the loop): get() is the loop
/// while it lives and null afterwards; bound() stays true, so "was bound to a loop that is
/// gone" is told apart from "never bound".
class LoopRef {
public:
    LoopRef() = default;
    explicit LoopRef(LoopAnchor* anchor) noexcept : a_(anchor) {
        if (a_ != nullptr) ++a_->refs;
    }
    LoopRef(const LoopRef& o) noexcept : LoopRef(o.a_) {}
    LoopRef(LoopRef&& o) noexcept : a_(std::exchange(o.a_, nullptr)) {}
    LoopRef& operator=(const LoopRef& o) noexcept {
        LoopRef copy(o);
        std::swap(a_, copy.a_);
        return *this;
    }
    LoopRef& operator=(LoopRef&& o) noexcept {
        LoopRef taken(std::move(o));
        std::swap(a_, taken.a_);
        return *this;
    }
    ~LoopRef() { release(a_); }

    /// The loop, or null when it was destroyed (or this was never bound).
    Loop* get() const noexcept { return a_ != nullptr ? a_->loop : nullptr; }
    /// True once bound to a loop, alive or not.
    bool bound() const noexcept { return a_ != nullptr; }
    /// Drops the reference (unbound again).
    void reset() noexcept { release(std::exchange(a_, nullptr)); }

    /// Drops one reference to `a` (null: nothing); the last one frees it.
    static void release(LoopAnchor* a) noexcept {
        if (a != nullptr && --a->refs == 0) delete a;
    }

private:
    LoopAnchor* a_ = nullptr;
};

}  // namespace corosim::detail
