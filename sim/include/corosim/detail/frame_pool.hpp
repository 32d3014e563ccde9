// frame_pool.hpp: coroutine frame allocation with live counts (STYLE pitfall 14). Frames come
// from per-thread size-class free lists so a steady-state step allocates nothing; the counts let
// every run check that each frame it created was destroyed. Sanitizer builds bypass the pool so
// ASan still sees every use-after-free.
#pragma once

#include <cstddef>
#include <cstdint>

namespace corosim::detail {

/// Frames created and destroyed on this thread since it started.
struct FrameStats {
    std::uint64_t created = 0;
    std::uint64_t destroyed = 0;
    void* last_frame = nullptr;  // the frame allocated last and its size, for its promise to
    std::size_t last_size = 0;   // record (taken once: an elided frame finds none)
};

/// This thread's frame counters.
FrameStats& frame_stats() noexcept;

/// Allocates a coroutine frame of `size` bytes.
void* frame_alloc(std::size_t size);
/// Returns a frame allocated by frame_alloc with the same size.
void frame_free(void* p, std::size_t size) noexcept;

}  // namespace corosim::detail
