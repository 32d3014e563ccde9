// process.hpp (internal): what the worker pool and the one-off child share: whole reads and
// writes on pipes, the memory limit and its exit status, and the one-line texts of a death.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include <sys/types.h>

namespace corosim::checker::detail {

/// The exit status of a child whose allocation failed under its memory limit. A failed `new`
/// ends the process at once (the new-handler), so a scenario that swallows std::bad_alloc
/// cannot turn it into a hang or a wrong verdict.
inline constexpr int kOomStatus = 86;

/// Ends this process with kOomStatus.
[[noreturn]] void out_of_memory() noexcept;
/// Limits this process's address space to `mb` MiB (0: no limit); beyond it, out_of_memory().
void limit_memory(std::uint64_t mb);

/// Throws std::logic_error (an internal error) while any store of this process has a transaction
/// open: a child forked then would inherit its locks and half-written state.
void require_fork_safe();
/// fork() after require_fork_safe(); every fork of the checker goes through here (callers check
/// first themselves too, before they make the pipes a refusal would leak).
pid_t fork_checked();

/// Writes / reads exactly `n` bytes (retrying on EINTR); false when the pipe is gone.
bool write_all(int fd, const void* data, std::size_t n);
bool read_all(int fd, void* data, std::size_t n);

/// One line on how a child ended, from its wait status ("crashed with signal 6 (Aborted)").
std::string signal_text(int status);
std::string memory_text(std::uint64_t mb);
std::string timeout_text(std::chrono::milliseconds t);

}  // namespace corosim::checker::detail
