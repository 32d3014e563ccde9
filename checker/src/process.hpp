// process.hpp (internal): what the worker pool and the one-off child share: whole reads and
// writes on pipes, the memory limit and its exit status, and the one-line texts of a death.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace corosim::checker::detail {

/// The exit status of a child whose allocation failed under its memory limit. A failed `new`
/// ends the process at once (the new-handler), so a scenario that swallows std::bad_alloc
/// cannot turn it into a hang or a wrong verdict.
inline constexpr int kOomStatus = 86;

/// Ends this process with kOomStatus.
[[noreturn]] void out_of_memory() noexcept;
/// Limits this process's address space to `mb` MiB (0: no limit); beyond it, out_of_memory().
void limit_memory(std::uint64_t mb);

/// Writes / reads exactly `n` bytes (retrying on EINTR); false when the pipe is gone.
bool write_all(int fd, const void* data, std::size_t n);
bool read_all(int fd, void* data, std::size_t n);

/// One line on how a child ended, from its wait status ("crashed with signal 6 (Aborted)").
std::string signal_text(int status);
std::string memory_text(std::uint64_t mb);
std::string timeout_text(std::chrono::milliseconds t);

}  // namespace corosim::checker::detail
