// The one-off child processes: a replay, a shrink or a PCT pilot run bounded by a timeout and
// a memory limit (isolation.hpp). The campaign's runs go through the worker pool instead.
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <new>
#include <stdexcept>

#include "corosim/checker/isolation.hpp"
#include "crash_trace.hpp"
#include "process.hpp"

namespace corosim::checker {

using detail::kOomStatus;
using detail::limit_memory;
using detail::memory_text;
using detail::out_of_memory;
using detail::read_all;
using detail::timeout_text;
using detail::write_all;

void become_child_of(pid_t parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);  // the parent died before prctl took effect
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGTERM, SIG_IGN);
}

const char* child_end_outcome(ChildEnd end) {
    switch (end) {
        case ChildEnd::kOk: return "pass";
        case ChildEnd::kCrash: return "crash";
        case ChildEnd::kHang: return "hang";
        case ChildEnd::kOom: return "oom";
    }
    return "crash";
}

ChildResult run_child(const std::function<std::string()>& fn, const ChildLimits& limits) {
    ChildResult result;
    result.end = ChildEnd::kCrash;
    detail::require_fork_safe();
    void* mem = ::mmap(nullptr, sizeof(detail::CrashFrames), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) throw std::runtime_error("mmap failed");
    auto* crash = new (mem) detail::CrashFrames;
    const auto unmap = [&] { ::munmap(mem, sizeof(detail::CrashFrames)); };
    int res[2];
    if (::pipe(res) != 0) {
        unmap();
        throw std::runtime_error("pipe failed");
    }
    const pid_t parent = ::getpid();
    const pid_t pid = detail::fork_checked();
    if (pid < 0) {
        ::close(res[0]);
        ::close(res[1]);
        unmap();
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        become_child_of(parent);
        detail::record_crashes_into(crash);
        limit_memory(limits.max_memory_mb);
        ::close(res[0]);
        std::string out;
        try {
            out = fn();
        } catch (const std::bad_alloc&) {
            out_of_memory();
        } catch (...) {
            ::_exit(2);
        }
        const std::uint64_t n = out.size();
        if (!write_all(res[1], &n, sizeof n) || !write_all(res[1], out.data(), out.size())) ::_exit(1);
        ::_exit(0);
    }
    ::close(res[1]);
    const auto deadline = std::chrono::steady_clock::now() + limits.timeout;
    bool timed_out = false;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        pollfd fd{res[0], POLLIN, 0};
        const int ready = ::poll(&fd, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1'000'000)));
        if (ready == 0 || (ready < 0 && errno == EINTR)) continue;
        if (ready > 0) {
            std::uint64_t n = 0;
            std::string out;
            if (read_all(res[0], &n, sizeof n)) {
                out.resize(n);
                if (read_all(res[0], out.data(), n)) {
                    result.end = ChildEnd::kOk;
                    result.bytes = std::move(out);
                }
            }
        }
        break;
    }
    ::close(res[0]);
    ::kill(pid, SIGKILL);  // a no-op on one that has exited: its status stays
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (result.end == ChildEnd::kOk) {
        unmap();
        return result;
    }
    if (timed_out) {
        result.end = ChildEnd::kHang;
        result.why = timeout_text(limits.timeout);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == kOomStatus) {
        result.end = ChildEnd::kOom;
        result.why = memory_text(limits.max_memory_mb);
    } else {
        result.why = detail::crash_text(status, crash);
    }
    unmap();
    return result;
}

ChildRun run_spec_in_child(const scenarios::Scenario& scenario, const RunSpec& spec, bool full_text,
                           const ChildLimits& limits) {
    const ChildResult child = run_child(
        [&] {
            const RunResult r = run_spec(scenario, spec);
            std::string out;
            encode_report(make_report(r, spec.level == TraceLevel::kFull), out);
            out += r.trace.render_all(full_text);  // the rest of the buffer is the text
            return out;
        },
        limits);
    ChildRun run;
    run.end = child.end;
    run.why = child.why;
    if (child.end != ChildEnd::kOk) return run;
    std::size_t pos = 0;
    run.report = decode_report(child.bytes, pos);
    run.trace_text = child.bytes.substr(pos);
    return run;
}

}  // namespace corosim::checker
