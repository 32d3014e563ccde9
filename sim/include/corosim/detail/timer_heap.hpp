// timer_heap.hpp: CPython's heapq, transcribed (SEMANTICS G2-G3). Entries compare by `when`
// only, with no tie-break, so equal timers leave the heap in exactly CPython's order.
// Source: python/cpython Lib/heapq.py heappush, heappop, heapify, _siftdown, _siftup.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "corosim/time.hpp"

namespace corosim::detail {

/// A timer in the heap: its due time and the loop's handle slot.
struct TimerEntry {
    Nanos when;
    std::uint32_t slot;
};

/// A binary min-heap on `when` with heapq's exact push/pop/heapify algorithm.
class TimerHeap {
public:
    bool empty() const noexcept { return heap_.empty(); }
    std::size_t size() const noexcept { return heap_.size(); }
    const TimerEntry& top() const noexcept { return heap_.front(); }
    std::vector<TimerEntry>& items() noexcept { return heap_; }

    /// heapq.heappush.
    void push(TimerEntry e) {
        heap_.push_back(e);
        siftdown(0, heap_.size() - 1);
    }

    /// heapq.heappop.
    TimerEntry pop() {
        TimerEntry last = heap_.back();
        heap_.pop_back();
        if (!heap_.empty()) {
            TimerEntry ret = heap_[0];
            heap_[0] = last;
            siftup(0);
            return ret;
        }
        return last;
    }

    /// heapq.heapify, after the caller rebuilt the list (the purge in _run_once).
    void heapify() {
        const std::size_t n = heap_.size();
        for (std::size_t i = n / 2; i-- > 0;) siftup(i);
    }

private:
    // heapq._siftdown: move the item at `pos` up towards `startpos` while it is < its parent.
    void siftdown(std::size_t startpos, std::size_t pos) {
        TimerEntry newitem = heap_[pos];
        while (pos > startpos) {
            const std::size_t parentpos = (pos - 1) >> 1;
            const TimerEntry parent = heap_[parentpos];
            if (newitem.when < parent.when) {
                heap_[pos] = parent;
                pos = parentpos;
                continue;
            }
            break;
        }
        heap_[pos] = newitem;
    }

    // heapq._siftup: walk the item at `pos` down to a leaf along the smaller children (ties go
    // right, because the right child wins when `not left < right`), then _siftdown it back.
    void siftup(std::size_t pos) {
        const std::size_t endpos = heap_.size();
        const std::size_t startpos = pos;
        TimerEntry newitem = heap_[pos];
        std::size_t childpos = 2 * pos + 1;
        while (childpos < endpos) {
            const std::size_t rightpos = childpos + 1;
            if (rightpos < endpos && !(heap_[childpos].when < heap_[rightpos].when)) childpos = rightpos;
            heap_[pos] = heap_[childpos];
            pos = childpos;
            childpos = 2 * pos + 1;
        }
        heap_[pos] = newitem;
        siftdown(startpos, pos);
    }

    std::vector<TimerEntry> heap_;
};

}  // namespace corosim::detail
