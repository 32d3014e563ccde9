#include "corosim/checker/isolation.hpp"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <new>
#include <stdexcept>

namespace corosim::checker {

RunReport execute_item(const WorkItem& item) {
    RunSpec spec = item.spec;
    spec.level = item.keep_events ? TraceLevel::kFull : TraceLevel::kOff;
    RunResult first = run_spec(*item.scenario, spec);
    const bool failed = first.outcome != Outcome::kPass;
    if (!failed && !item.check_determinism) return make_report(first, item.keep_events);
    // Failures keep their events, so they are re-run at the full level; the re-run doubles as
    // the determinism check (the hash does not depend on the level).
    RunSpec again = spec;
    again.level = (failed || item.keep_events) ? TraceLevel::kFull : TraceLevel::kOff;
    RunResult second = run_spec(*item.scenario, again);
    RunReport rep = make_report(second, again.level == TraceLevel::kFull);
    if (second.trace_hash != first.trace_hash || second.outcome != first.outcome) {
        rep.outcome = "fail";
        rep.message = "nondeterministic scenario: trace hash " + hash_hex(first.trace_hash) + " then " +
                      hash_hex(second.trace_hash) + " for the same spec";
    }
    return rep;
}

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

namespace {
// The exit status of a child whose allocation failed under its memory limit. A failed `new`
// ends the process at once (the new-handler), so a scenario that swallows std::bad_alloc
// cannot turn it into a hang or a wrong verdict.
constexpr int kOomStatus = 86;

[[noreturn]] void out_of_memory() noexcept { ::_exit(kOomStatus); }

void limit_memory(std::uint64_t mb) {
    if (mb == 0) return;
    const rlim_t bytes = static_cast<rlim_t>(mb) * 1024 * 1024;
    const rlimit limit{bytes, bytes};
    ::setrlimit(RLIMIT_AS, &limit);
    std::set_new_handler(out_of_memory);
}

std::string memory_text(std::uint64_t mb) {
    return "out of memory: an allocation failed under --max-memory " + std::to_string(mb) + "M";
}

std::string timeout_text(std::chrono::milliseconds t) {
    return "hang: no result within " + std::to_string(t.count()) + " ms (--timeout)";
}
}  // namespace

namespace {

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

// One worker process: reads batches of item indices, writes one framed report per run.
[[noreturn]] void worker_main(const std::vector<WorkItem>& items, int cmd_fd, int res_fd) {
    for (;;) {
        std::uint64_t count = 0;
        if (!read_all(cmd_fd, &count, sizeof count) || count == 0) ::_exit(0);
        std::vector<std::uint64_t> ids(count);
        if (!read_all(cmd_fd, ids.data(), count * sizeof(std::uint64_t))) ::_exit(0);
        for (const std::uint64_t id : ids) {
            std::string payload;
            try {
                encode_report(execute_item(items[id]), payload);
            } catch (const std::bad_alloc&) {
                out_of_memory();
            } catch (const std::exception& e) {
                RunReport rep;
                rep.outcome = "error";
                rep.message = std::string("harness error: ") + e.what();
                encode_report(rep, payload);
            }
            const std::uint64_t header[2] = {id, payload.size()};
            if (!write_all(res_fd, header, sizeof header) || !write_all(res_fd, payload.data(), payload.size())) {
                ::_exit(1);
            }
        }
    }
}

struct Worker {
    pid_t pid = -1;
    int cmd = -1;  // parent writes
    int res = -1;  // parent reads
    std::deque<std::uint64_t> in_flight;
    std::chrono::steady_clock::time_point last_heard;
};

Worker spawn(const std::vector<WorkItem>& items, const std::vector<Worker>& others, const IsolationOptions& options) {
    int cmd[2];
    int res[2];
    if (::pipe(cmd) != 0 || ::pipe(res) != 0) throw std::runtime_error("pipe failed");
    if (options.before_fork) options.before_fork();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        become_child_of(parent);
        limit_memory(options.max_memory_mb);
        ::close(cmd[1]);
        ::close(res[0]);
        for (const Worker& w : others) {
            if (w.cmd >= 0) ::close(w.cmd);
            if (w.res >= 0) ::close(w.res);
        }
        worker_main(items, cmd[0], res[1]);
    }
    ::close(cmd[0]);
    ::close(res[1]);
    Worker w;
    w.pid = pid;
    w.cmd = cmd[1];
    w.res = res[0];
    w.last_heard = std::chrono::steady_clock::now();
    return w;
}

void retire(Worker& w, bool kill) {
    if (w.pid < 0) return;
    if (kill) ::kill(w.pid, SIGKILL);
    if (w.cmd >= 0) ::close(w.cmd);
    if (w.res >= 0) ::close(w.res);
    w.cmd = w.res = -1;
}

int reap(Worker& w) {
    int status = 0;
    if (w.pid >= 0) ::waitpid(w.pid, &status, 0);
    w.pid = -1;
    return status;
}

}  // namespace

void run_isolated(const std::vector<WorkItem>& items, const IsolationOptions& options,
                  const std::function<void(std::size_t, RunReport&&)>& on_result,
                  const std::function<bool()>& keep_going) {
    ::signal(SIGPIPE, SIG_IGN);
    const unsigned jobs = std::max(1u, options.jobs);
    std::vector<Worker> workers;
    std::size_t next = 0;                        // next item to dispatch
    bool dispatching = true;
    std::map<std::size_t, RunReport> pending;    // finished, waiting for in-order delivery
    std::size_t delivered = 0;
    std::size_t dispatched = 0;

    const auto deliver = [&] {
        for (auto it = pending.find(delivered); it != pending.end(); it = pending.find(delivered)) {
            on_result(delivered, std::move(it->second));
            pending.erase(it);
            ++delivered;
        }
    };
    const auto dispatch = [&](Worker& w) {
        if (!dispatching || next >= items.size()) return;
        if (!keep_going()) {
            dispatching = false;
            return;
        }
        std::vector<std::uint64_t> ids;
        while (ids.size() < options.batch && next < items.size()) ids.push_back(next++);
        const std::uint64_t count = ids.size();
        if (!write_all(w.cmd, &count, sizeof count) || !write_all(w.cmd, ids.data(), ids.size() * sizeof(std::uint64_t))) {
            next -= ids.size();  // the worker is gone; its death is handled by the poll loop
            return;
        }
        dispatched = std::max(dispatched, next);
        w.in_flight.insert(w.in_flight.end(), ids.begin(), ids.end());
        w.last_heard = std::chrono::steady_clock::now();
    };
    // A worker died or hung with `w.in_flight` outstanding: the first of them is the culprit;
    // the rest go back to be re-dispatched (in order, to a fresh worker).
    std::deque<std::uint64_t> retry;
    // `status` is the worker's wait status; none: it was killed for silence.
    const auto fail_worker = [&](Worker& w, std::optional<int> status) {
        if (!w.in_flight.empty()) {
            const std::uint64_t culprit = w.in_flight.front();
            w.in_flight.pop_front();
            RunReport rep;
            if (!status) {
                rep.outcome = "hang";
                rep.message = timeout_text(options.run_timeout);
            } else if (WIFEXITED(*status) && WEXITSTATUS(*status) == kOomStatus) {
                rep.outcome = "oom";
                rep.message = memory_text(options.max_memory_mb);
            } else {
                rep.outcome = "crash";
                rep.message = signal_text(*status);
            }
            pending.emplace(culprit, std::move(rep));
            retry.insert(retry.end(), w.in_flight.begin(), w.in_flight.end());
            w.in_flight.clear();
        }
    };

    for (unsigned j = 0; j < jobs; ++j) {
        workers.push_back(spawn(items, workers, options));
        dispatch(workers.back());
    }
    for (;;) {
        // Re-dispatch items a dead worker left behind, one worker at a time.
        if (!retry.empty()) {
            Worker* idle = nullptr;
            for (Worker& w : workers)
                if (w.pid >= 0 && w.in_flight.empty()) idle = &w;
            if (idle == nullptr) {
                workers.push_back(spawn(items, workers, options));
                idle = &workers.back();
            }
            std::vector<std::uint64_t> ids(retry.begin(), retry.end());
            retry.clear();
            const std::uint64_t count = ids.size();
            write_all(idle->cmd, &count, sizeof count);
            write_all(idle->cmd, ids.data(), ids.size() * sizeof(std::uint64_t));
            idle->in_flight.insert(idle->in_flight.end(), ids.begin(), ids.end());
            idle->last_heard = std::chrono::steady_clock::now();
        }
        bool busy = false;
        std::vector<pollfd> fds;
        std::vector<Worker*> owners;
        for (Worker& w : workers) {
            if (w.pid < 0 || w.in_flight.empty()) continue;
            busy = true;
            fds.push_back({w.res, POLLIN, 0});
            owners.push_back(&w);
        }
        if (!busy) break;
        const int ready = ::poll(fds.data(), fds.size(), 200);
        if (ready < 0 && errno != EINTR) throw std::runtime_error("poll failed");
        const auto now = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < fds.size(); ++i) {
            Worker& w = *owners[i];
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                std::uint64_t header[2];
                std::string payload;
                bool ok = read_all(w.res, header, sizeof header);
                if (ok) {
                    payload.resize(header[1]);
                    ok = read_all(w.res, payload.data(), payload.size());
                }
                if (!ok) {
                    retire(w, true);
                    fail_worker(w, reap(w));
                    continue;
                }
                w.last_heard = now;
                RunReport rep;
                try {
                    rep = decode_report(payload);
                } catch (const std::exception& e) {
                    rep.outcome = "error";
                    rep.message = std::string("harness error: ") + e.what();
                }
                if (!w.in_flight.empty() && w.in_flight.front() == header[0]) w.in_flight.pop_front();
                pending.emplace(header[0], std::move(rep));
                if (w.in_flight.empty()) dispatch(w);
            } else if (now - w.last_heard > options.run_timeout) {
                retire(w, true);
                reap(w);
                fail_worker(w, std::nullopt);
            }
        }
        deliver();
        // Keep `jobs` workers alive while there is work to hand out.
        std::size_t alive = 0;
        for (Worker& w : workers) alive += w.pid >= 0 ? 1 : 0;
        while (alive < jobs && dispatching && next < items.size()) {
            workers.push_back(spawn(items, workers, options));
            dispatch(workers.back());
            ++alive;
        }
    }
    for (Worker& w : workers) {
        if (w.pid < 0) continue;
        const std::uint64_t zero = 0;
        write_all(w.cmd, &zero, sizeof zero);
        retire(w, false);
        reap(w);
    }
    deliver();
}

ChildResult run_child(const std::function<std::string()>& fn, const ChildLimits& limits) {
    ChildResult result;
    result.end = ChildEnd::kCrash;
    int res[2];
    if (::pipe(res) != 0) throw std::runtime_error("pipe failed");
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(res[0]);
        ::close(res[1]);
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        become_child_of(parent);
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
    if (result.end == ChildEnd::kOk) return result;
    if (timed_out) {
        result.end = ChildEnd::kHang;
        result.why = timeout_text(limits.timeout);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == kOomStatus) {
        result.end = ChildEnd::kOom;
        result.why = memory_text(limits.max_memory_mb);
    } else {
        result.why = signal_text(status);
    }
    return result;
}

}  // namespace corosim::checker

namespace corosim::checker {

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
