#include "corosim/detail/frame_pool.hpp"

#include <algorithm>
#include <new>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define COROSIM_POOL_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COROSIM_POOL_OFF 1
#endif
#endif

namespace corosim::detail {

#ifndef COROSIM_POOL_OFF
namespace {
constexpr std::size_t kGranule = 64;
constexpr std::size_t kClasses = 32;  // frames up to 2 KiB are pooled

struct Pool {
    std::vector<void*> free[kClasses];
    ~Pool() {
        for (auto& list : free)
            for (void* p : list) ::operator delete(p);
    }
};

Pool& pool() {
    thread_local Pool p;
    return p;
}
}  // namespace
#endif

FrameStats& frame_stats() noexcept {
    thread_local FrameStats stats;
    return stats;
}

void* frame_alloc(std::size_t size) {
#ifndef COROSIM_POOL_OFF
    const std::size_t cls = (size + kGranule - 1) / kGranule;
    if (cls < kClasses) {
        auto& list = pool().free[cls];
        if (!list.empty()) {
            void* p = list.back();
            list.pop_back();
            return p;
        }
        return ::operator new(cls * kGranule);
    }
#endif
    return ::operator new(size);
}

void frame_free(void* p, std::size_t size) noexcept {
#ifndef COROSIM_POOL_OFF
    const std::size_t cls = (size + kGranule - 1) / kGranule;
    if (cls < kClasses) {
        try {
            pool().free[cls].push_back(p);
            return;
        } catch (...) {
        }
    }
#endif
    (void)size;
    ::operator delete(p);
}

namespace {
// Deep enough that ordinary chains never queue; shallow enough for ASan's larger frames.
constexpr unsigned kMaxDestroyNesting = 64;

struct DestroyQueue {
    unsigned depth = 0;
    std::vector<std::coroutine_handle<>> pending;  // a stack: the next frame to destroy last
};

DestroyQueue& destroy_queue() {
    thread_local DestroyQueue q;
    return q;
}
}  // namespace

void destroy_frame(std::coroutine_handle<> h) noexcept {
    DestroyQueue& q = destroy_queue();
    if (q.depth >= kMaxDestroyNesting) {
        q.pending.push_back(h);  // bad_alloc here terminates: noexcept, as destroy() is
        return;
    }
    ++q.depth;
    std::size_t mark = q.pending.size();
    h.destroy();
    --q.depth;
    if (q.depth != 0) return;
    // Frames queued while one frame was destroyed were queued in destruction order; reversed
    // onto the stack, the first of them is destroyed next (and everything it queues before the
    // second), as the nested calls would have.
    for (;;) {
        std::reverse(q.pending.begin() + static_cast<std::ptrdiff_t>(mark), q.pending.end());
        if (q.pending.empty()) return;
        const std::coroutine_handle<> next = q.pending.back();
        q.pending.pop_back();
        mark = q.pending.size();
        ++q.depth;
        next.destroy();
        --q.depth;
    }
}

}  // namespace corosim::detail
