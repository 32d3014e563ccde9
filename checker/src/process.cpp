#include "process.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <stdexcept>

#include "corosim/checker/store.hpp"

namespace corosim::checker::detail {

void require_fork_safe() {
    if (Store::transaction_open_anywhere()) throw std::logic_error("fork with a store transaction open");
}

pid_t fork_checked() {
    require_fork_safe();
    return ::fork();
}

void out_of_memory() noexcept { ::_exit(kOomStatus); }

void limit_memory(std::uint64_t mb) {
    if (mb == 0) return;
    const rlim_t bytes = static_cast<rlim_t>(mb) * 1024 * 1024;
    const rlimit limit{bytes, bytes};
    ::setrlimit(RLIMIT_AS, &limit);
    std::set_new_handler(out_of_memory);
}

bool write_all(int fd, const void* data, std::size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
        const ssize_t w = ::write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

bool read_all(int fd, void* data, std::size_t n) {
    char* p = static_cast<char*>(data);
    while (n > 0) {
        const ssize_t r = ::read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        p += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

std::string signal_text(int status) {
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        const char* name = ::strsignal(sig);
        return "crashed with signal " + std::to_string(sig) + " (" + (name ? name : "?") + ")";
    }
    if (WIFEXITED(status)) return "worker exited with status " + std::to_string(WEXITSTATUS(status));
    return "worker ended abnormally";
}

std::string memory_text(std::uint64_t mb) {
    return "out of memory: an allocation failed under --max-memory " + std::to_string(mb) + "M";
}

std::string timeout_text(std::chrono::milliseconds t) {
    return "hang: no result within " + std::to_string(t.count()) + " ms (--timeout)";
}

}  // namespace corosim::checker::detail
