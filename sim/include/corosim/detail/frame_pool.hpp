// frame_pool.hpp: coroutine frame allocation with live counts (STYLE pitfall 14). Frames come
// from per-thread size-class free lists so a steady-state step allocates nothing; the counts let
// every run check that each frame it created was destroyed. Sanitizer builds bypass the pool so
// ASan still sees every use-after-free.
#pragma once

#include <coroutine>
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

/// Destroys a coroutine frame without running it. Destroying a frame suspended in `co_await coro`
/// destroys the awaited Coro it holds, so a suspended chain N awaits deep would nest N destroy
/// calls and overflow the stack (100,000 levels do). Past a fixed nesting a frame is queued
/// instead, and the outermost call destroys the queue in the order the nested calls would have
/// (depth first), each again with bounded nesting: flat at any depth, and chains shallower than
/// the limit are destroyed exactly as by nested calls.
void destroy_frame(std::coroutine_handle<> h) noexcept;

}  // namespace corosim::detail
