// crash_trace.hpp (internal): a backtrace for a run that crashed in a child process (issue 12).
// The child's signal handler only records the return addresses, which is all a handler can do
// safely, into memory it shares with the parent; the parent, which forked the child and so has
// the same code at the same addresses, turns them into function names and source lines with
// Boost.Stacktrace (libbacktrace reads the DWARF line tables; without -g it has names only).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace corosim::checker::detail {

/// Where a child's crash handler leaves its return addresses. Lives in shared memory.
struct CrashFrames {
    static constexpr std::size_t kMax = 64;
    std::atomic<std::uint32_t> count{0};  // set after `frames` is written
    void* frames[kMax] = {};
};
static_assert(std::atomic<std::uint32_t>::is_always_lock_free, "shared across processes");

/// In a child: on SIGSEGV, SIGBUS, SIGILL, SIGFPE or SIGABRT (also a stack overflow: the handler
/// runs on its own stack), record the stack into `slot`, then die of the same signal.
void record_crashes_into(CrashFrames* slot);

/// In the parent, for a child that ended with wait status `status`: the one-line reason
/// ("crashed with signal 11 (Segmentation fault) in bad_deref(int) (pool.cpp:42)") and, when
/// the child recorded its stack, the frames down to the harness, one per line below it. Only
/// names and source lines appear, never addresses, so the text is the same in every process
/// that runs the same binary.
std::string crash_text(int status, const CrashFrames* slot);

}  // namespace corosim::checker::detail
