#include "corosim/checker/isolation.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>
#include <map>
#include <new>
#include <stdexcept>
#include <string_view>

#include "crash_trace.hpp"
#include "process.hpp"

namespace corosim::checker {

using detail::kOomStatus;
using detail::read_all;
using detail::write_all;

RunReport execute_item(const WorkItem& item) {
    const TraceLevel level = item.keep_events ? TraceLevel::kFull : TraceLevel::kOff;
    // A worker decodes its items at that level already: no copy of the spec on the hot path.
    std::optional<RunSpec> copy;
    if (item.spec.level != level) {
        copy = item.spec;
        copy->level = level;
    }
    const RunSpec& spec = copy ? *copy : item.spec;
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

namespace {

// ---- the messages: both ends are the same program, so integers go in host byte order ----

template <typename T>
void put(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
void put_str(std::string& out, std::string_view s) {
    put<std::uint32_t>(out, static_cast<std::uint32_t>(s.size()));
    out.append(s);
}

// Reads what put() wrote; a short message throws (the worker then exits, as on a closed pipe).
class In {
public:
    explicit In(std::string_view b) : b_(b) {}
    bool done() const { return pos_ == b_.size(); }
    template <typename T>
    T get() {
        T v;
        std::memcpy(&v, take(sizeof v), sizeof v);
        return v;
    }
    std::string_view str() { return bytes(get<std::uint32_t>()); }
    std::string_view bytes(std::size_t n) { return {take(n), n}; }

private:
    const char* take(std::size_t n) {
        if (b_.size() - pos_ < n) throw std::runtime_error("truncated message");
        const char* p = b_.data() + pos_;
        pos_ += n;
        return p;
    }
    std::string_view b_;
    std::size_t pos_ = 0;
};

// A message is {u64 count, u64 bytes} and `bytes` of body: `count` items (parent -> worker) or
// `count` framed reports (worker -> parent).
constexpr std::size_t kHeader = 2 * sizeof(std::uint64_t);

void begin_message(std::string& out) { out.assign(kHeader, '\0'); }
void end_message(std::string& out, std::uint64_t count) {
    const std::uint64_t header[2] = {count, out.size() - kHeader};
    std::memcpy(out.data(), header, sizeof header);
}
// Reads one message's body into `body`; 0 items when the pipe is gone (or it was the end).
std::uint64_t read_message(int fd, std::string& body) {
    std::uint64_t header[2];
    if (!read_all(fd, header, sizeof header)) return 0;
    body.resize(header[1]);
    if (!read_all(fd, body.data(), body.size())) return 0;
    return header[0];
}

void encode_item(std::string& out, std::uint64_t id, std::uint32_t scenario, const WorkItem& item) {
    put<std::uint64_t>(out, id);
    put<std::uint32_t>(out, scenario);
    put<std::uint8_t>(out, static_cast<std::uint8_t>((item.keep_events ? 1 : 0) | (item.check_determinism ? 2 : 0)));
    put<std::uint64_t>(out, item.spec.max_steps);
    put<std::uint64_t>(out, item.spec.seed);
    put<std::uint8_t>(out, static_cast<std::uint8_t>(item.spec.python));
    put_str(out, item.spec.policy);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(item.spec.params.size()));
    for (const auto& [name, value] : item.spec.params) {
        put_str(out, name);
        put<std::int64_t>(out, value);
    }
    put<std::uint32_t>(out, static_cast<std::uint32_t>(item.spec.choices.size()));
    for (const std::uint32_t c : item.spec.choices) put<std::uint32_t>(out, c);
}

std::uint64_t decode_item(In& in, const std::vector<const scenarios::Scenario*>& scenarios, WorkItem& item) {
    const auto id = in.get<std::uint64_t>();
    item.scenario = scenarios.at(in.get<std::uint32_t>());
    const auto flags = in.get<std::uint8_t>();
    item.keep_events = (flags & 1) != 0;
    item.check_determinism = (flags & 2) != 0;
    RunSpec& spec = item.spec;
    spec.scenario = item.scenario->name;
    // Not sent: the level execute_item runs it at.
    spec.level = item.keep_events ? TraceLevel::kFull : TraceLevel::kOff;
    spec.max_steps = in.get<std::uint64_t>();
    spec.seed = in.get<std::uint64_t>();
    spec.python = static_cast<PythonVersion>(in.get<std::uint8_t>());
    spec.policy = in.str();
    spec.params.clear();
    for (auto n = in.get<std::uint32_t>(); n > 0; --n) {
        const std::string_view name = in.str();
        spec.params.emplace(name, in.get<std::int64_t>());
    }
    spec.choices.resize(in.get<std::uint32_t>());
    for (std::uint32_t& c : spec.choices) c = in.get<std::uint32_t>();
    return id;
}

// What a worker shares with the parent without a system call: how many runs it has started.
// It survives the worker's death, so the parent can tell which run of a batch was running when
// the worker crashed, hung or ran out of memory, and a long batch is not mistaken for silence.
struct Shared {
    std::atomic<std::uint64_t> started{0};
    detail::CrashFrames crash;  // the stack of the run that crashed it, if one did
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "shared across processes");

// The worker answers at least this often, so results (and the campaign's once-a-second
// commits) never wait for the end of a long batch.
constexpr auto kFlushEvery = std::chrono::milliseconds(100);
constexpr std::size_t kFlushBytes = 1 << 20;
// A batch is one message of at most about this size, and a worker has at most two batches
// queued, which its command pipe holds (64 KiB): so the parent never blocks writing to a worker
// that is blocked writing its results.
constexpr std::size_t kBatchBytes = 24 << 10;
constexpr std::size_t kQueuedBatches = 2;

// One worker process: reads a batch of runs, answers it with one message of framed reports
// {id, size, report} (or a few, every kFlushEvery / kFlushBytes).
[[noreturn]] void worker_main(const std::vector<const scenarios::Scenario*>& scenarios, int cmd_fd, int res_fd,
                              Shared* shared) {
    std::string body;
    std::string out;
    std::uint64_t count = 0;
    begin_message(out);
    auto last_flush = std::chrono::steady_clock::now();
    const auto flush = [&] {
        if (count == 0) return;
        end_message(out, count);
        if (!write_all(res_fd, out.data(), out.size())) ::_exit(1);
        begin_message(out);
        count = 0;
        last_flush = std::chrono::steady_clock::now();
    };
    std::uint64_t started = 0;
    std::string payload;
    WorkItem item;
    for (;;) {
        std::uint64_t n = read_message(cmd_fd, body);
        if (n == 0) ::_exit(0);
        In in(body);
        for (; n > 0; --n) {
            std::uint64_t id = 0;
            try {
                id = decode_item(in, scenarios, item);
            } catch (const std::exception&) {
                ::_exit(1);
            }
            shared->started.store(++started, std::memory_order_release);
            payload.clear();
            try {
                encode_report(execute_item(item), payload);
            } catch (const std::bad_alloc&) {
                detail::out_of_memory();
            } catch (const std::exception& e) {
                RunReport rep;
                rep.outcome = "error";
                rep.message = std::string("harness error: ") + e.what();
                payload.clear();
                encode_report(rep, payload);
            }
            put<std::uint64_t>(out, id);
            put<std::uint64_t>(out, payload.size());
            out += payload;
            ++count;
            if (out.size() >= kFlushBytes || std::chrono::steady_clock::now() - last_flush >= kFlushEvery) flush();
        }
        flush();
    }
}

using Clock = std::chrono::steady_clock;

struct Worker {
    pid_t pid = -1;
    int cmd = -1;  // parent writes
    int res = -1;  // parent reads
    Shared* shared = nullptr;
    std::deque<std::uint64_t> in_flight;  // sent, no result yet, in the order the worker runs them
    std::deque<std::size_t> batches;      // the runs of each batch sent and not all answered
    std::uint64_t received = 0;           // results read: started - received runs have none yet
    std::uint64_t seen_started = 0;       // `shared->started` when the parent last looked
    Clock::time_point last_heard;
    Clock::time_point born;
};

void retire(Worker& w, bool kill) {
    if (w.pid < 0) return;
    if (kill) ::kill(w.pid, SIGKILL);
    if (w.cmd >= 0) ::close(w.cmd);
    if (w.res >= 0) ::close(w.res);
    w.cmd = w.res = -1;
}

int reap(Worker& w) {
    int status = 0;
    if (w.pid >= 0) {
        while (::waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    w.pid = -1;
    return status;
}

void unmap(Worker& w) {
    if (w.shared != nullptr) ::munmap(w.shared, sizeof(Shared));
    w.shared = nullptr;
}

}  // namespace

struct WorkerPool::Impl {
    std::vector<const scenarios::Scenario*> scenarios;
    IsolationOptions options;
    std::vector<Worker> workers;  // the dead ones too (pid -1) until the end of a run()

    // One run()'s state.
    const std::vector<WorkItem>* items = nullptr;
    const std::function<void(std::size_t, RunReport&&)>* on_result = nullptr;
    std::size_t next = 0;  // next item to dispatch
    bool dispatching = true;
    std::map<std::size_t, RunReport> pending;  // finished, waiting for in-order delivery
    std::size_t delivered = 0;
    std::deque<std::uint64_t> retry;  // left behind by a dead worker, to go before `next`
    std::string message;              // scratch: a message being built or read
    const scenarios::Scenario* last_scenario = nullptr;
    std::uint32_t last_index = 0;

    Worker& spawn();
    std::uint32_t scenario_index(const scenarios::Scenario* s);
    std::size_t batch_size(const Worker& w, Clock::time_point now) const;
    void dispatch(Worker& w, const std::function<bool()>& keep_going);
    bool read_results(Worker& w);
    void fail_worker(Worker& w, std::optional<int> status);
    void shut_down();
};

Worker& WorkerPool::Impl::spawn() {
    // The campaign commits here: no worker is forked with a store transaction open.
    if (options.before_fork) options.before_fork();
    detail::require_fork_safe();
    int cmd[2];
    int res[2];
    if (::pipe(cmd) != 0 || ::pipe(res) != 0) throw std::runtime_error("pipe failed");
    // A margin over kQueuedBatches * kBatchBytes where the system allows (64 KiB is enough).
    ::fcntl(cmd[1], F_SETPIPE_SZ, static_cast<int>(8 * kBatchBytes));
    void* mem = ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) throw std::runtime_error("mmap failed");
    Shared* shared = new (mem) Shared;
    const pid_t parent = ::getpid();
    const pid_t pid = detail::fork_checked();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        become_child_of(parent);
        detail::limit_memory(options.max_memory_mb);
        ::close(cmd[1]);
        ::close(res[0]);
        for (const Worker& w : workers) {
            if (w.cmd >= 0) ::close(w.cmd);
            if (w.res >= 0) ::close(w.res);
        }
        detail::record_crashes_into(&shared->crash);
        worker_main(scenarios, cmd[0], res[1], shared);
    }
    ::close(cmd[0]);
    ::close(res[1]);
    Worker w;
    w.pid = pid;
    w.cmd = cmd[1];
    w.res = res[0];
    w.shared = shared;
    w.born = w.last_heard = Clock::now();
    workers.push_back(std::move(w));
    return workers.back();
}

std::uint32_t WorkerPool::Impl::scenario_index(const scenarios::Scenario* s) {
    if (s != last_scenario) {
        const auto it = std::find(scenarios.begin(), scenarios.end(), s);
        if (it == scenarios.end()) throw std::invalid_argument("WorkerPool: a scenario it was not made for");
        last_scenario = s;
        last_index = static_cast<std::uint32_t>(it - scenarios.begin());
    }
    return last_index;
}

// Runs per batch for `w`: about `batch_time` of its runs at the rate it has shown so far, so
// tiny runs share a message by the hundred while slow ones still go one or a few at a time
// (and a time budget or a stop waits for at most two batches).
std::size_t WorkerPool::Impl::batch_size(const Worker& w, Clock::time_point now) const {
    if (w.received == 0) return 1;
    const auto busy = std::chrono::duration_cast<std::chrono::microseconds>(now - w.born).count();
    const auto target = std::chrono::duration_cast<std::chrono::microseconds>(options.batch_time).count();
    const double runs = static_cast<double>(w.received) * static_cast<double>(target) /
                        static_cast<double>(std::max<std::int64_t>(busy, 1));
    return static_cast<std::size_t>(std::clamp(runs, 1.0, static_cast<double>(std::max<std::size_t>(options.batch, 1))));
}

// Keeps kQueuedBatches batches queued at `w`, so it starts the next while the parent reads the
// last. Runs a dead worker left behind go first, and without asking `keep_going`: they were
// dispatched already, and the runs delivered must stay a prefix.
void WorkerPool::Impl::dispatch(Worker& w, const std::function<bool()>& keep_going) {
    const std::size_t batch = batch_size(w, Clock::now());
    std::vector<std::uint64_t> ids;
    while (w.pid >= 0 && w.batches.size() < kQueuedBatches) {
        const bool again = !retry.empty();
        if (!again) {
            if (!dispatching || next >= items->size()) return;
            if (!keep_going()) {
                dispatching = false;
                return;
            }
        }
        ids.clear();
        begin_message(message);
        while (ids.size() < batch && message.size() < kBatchBytes && (again ? !retry.empty() : next < items->size())) {
            std::uint64_t id = 0;
            if (again) {
                id = retry.front();
                retry.pop_front();
            } else {
                id = next++;
            }
            const WorkItem& item = (*items)[id];
            encode_item(message, id, scenario_index(item.scenario), item);
            ids.push_back(id);
        }
        end_message(message, ids.size());
        if (!write_all(w.cmd, message.data(), message.size())) {
            // The worker is gone (the poll loop handles its death): these go to another.
            if (again) {
                retry.insert(retry.begin(), ids.begin(), ids.end());
            } else {
                next -= ids.size();
            }
            return;
        }
        if (w.in_flight.empty()) w.last_heard = Clock::now();
        w.in_flight.insert(w.in_flight.end(), ids.begin(), ids.end());
        w.batches.push_back(ids.size());
    }
}

// Reads one message of `w`'s results; false: the worker is gone.
bool WorkerPool::Impl::read_results(Worker& w) {
    const std::uint64_t count = read_message(w.res, message);
    if (count == 0) return false;
    try {
        In in(message);
        for (std::uint64_t k = 0; k < count; ++k) {
            const auto id = in.get<std::uint64_t>();
            const auto size = in.get<std::uint64_t>();
            RunReport rep;
            try {
                rep = decode_report(in.bytes(size));
            } catch (const std::exception& e) {
                rep.outcome = "error";
                rep.message = std::string("harness error: ") + e.what();
            }
            if (!w.in_flight.empty() && w.in_flight.front() == id) w.in_flight.pop_front();
            if (!w.batches.empty() && --w.batches.front() == 0) w.batches.pop_front();
            ++w.received;
            if (id == delivered && pending.empty()) {
                (*on_result)(delivered++, std::move(rep));  // the usual case: in order, no map
            } else {
                pending.emplace(id, std::move(rep));
            }
        }
    } catch (const std::exception&) {
        return false;
    }
    return true;
}

// `w` died or hung with `w.in_flight` outstanding (`status`: its wait status; none: it was
// killed for silence). The run it had started last is the culprit (the first outstanding one
// if it was between runs); the runs before it finished but their results died with the worker,
// and the runs after it never started: all of those go back to be re-dispatched, in order, to
// a fresh worker.
void WorkerPool::Impl::fail_worker(Worker& w, std::optional<int> status) {
    if (!w.in_flight.empty()) {
        const std::uint64_t started = w.shared->started.load(std::memory_order_acquire);
        const std::size_t at =
            started > w.received ? std::min<std::size_t>(started - w.received - 1, w.in_flight.size() - 1) : 0;
        RunReport rep;
        if (!status) {
            rep.outcome = "hang";
            rep.message = detail::timeout_text(options.run_timeout);
        } else if (WIFEXITED(*status) && WEXITSTATUS(*status) == kOomStatus) {
            rep.outcome = "oom";
            rep.message = detail::memory_text(options.max_memory_mb);
        } else {
            rep.outcome = "crash";
            rep.message = detail::crash_text(*status, &w.shared->crash);
        }
        pending.emplace(w.in_flight[at], std::move(rep));
        for (std::size_t i = 0; i < w.in_flight.size(); ++i)
            if (i != at) retry.push_back(w.in_flight[i]);
        w.in_flight.clear();
    }
    w.batches.clear();
    unmap(w);
}

void WorkerPool::Impl::shut_down() {
    for (Worker& w : workers) {
        if (w.pid >= 0) {
            const std::uint64_t end[2] = {0, 0};
            write_all(w.cmd, end, sizeof end);
            retire(w, false);
            reap(w);
        }
        unmap(w);
    }
    workers.clear();
}

WorkerPool::WorkerPool(std::vector<const scenarios::Scenario*> scenarios, IsolationOptions options)
    : impl_(std::make_unique<Impl>()) {
    impl_->scenarios = std::move(scenarios);
    impl_->options = std::move(options);
}

WorkerPool::~WorkerPool() { impl_->shut_down(); }

void WorkerPool::run(const std::vector<WorkItem>& items, const std::function<void(std::size_t, RunReport&&)>& on_result,
                     const std::function<bool()>& keep_going) {
    ::signal(SIGPIPE, SIG_IGN);
    Impl& p = *impl_;
    p.items = &items;
    p.on_result = &on_result;
    p.next = 0;
    p.dispatching = true;
    p.pending.clear();
    p.delivered = 0;
    p.retry.clear();
    const auto deliver = [&] {
        for (auto it = p.pending.find(p.delivered); it != p.pending.end(); it = p.pending.find(p.delivered)) {
            on_result(p.delivered, std::move(it->second));
            p.pending.erase(it);
            ++p.delivered;
        }
    };
    const unsigned jobs = std::max(1u, p.options.jobs);
    // Workers that died in an earlier run() are gone for good: keep the live ones.
    std::erase_if(p.workers, [](const Worker& w) { return w.pid < 0; });
    const auto keep_alive = [&] {
        std::size_t alive = 0;
        for (const Worker& w : p.workers) alive += w.pid >= 0 ? 1 : 0;
        for (Worker& w : p.workers)
            if (w.pid >= 0) p.dispatch(w, keep_going);
        // Keep `jobs` workers alive while there is work to hand out.
        while (alive < jobs && (!p.retry.empty() || (p.dispatching && p.next < items.size()))) {
            p.dispatch(p.spawn(), keep_going);
            ++alive;
        }
    };
    keep_alive();
    std::vector<pollfd> fds;
    std::vector<std::size_t> owners;  // indices: spawning may move the workers
    for (;;) {
        fds.clear();
        owners.clear();
        for (std::size_t i = 0; i < p.workers.size(); ++i) {
            const Worker& w = p.workers[i];
            if (w.pid < 0 || w.in_flight.empty()) continue;
            fds.push_back({w.res, POLLIN, 0});
            owners.push_back(i);
        }
        if (fds.empty()) break;
        const int ready = ::poll(fds.data(), fds.size(), 200);
        if (ready < 0 && errno != EINTR) throw std::runtime_error("poll failed");
        const auto now = Clock::now();
        for (std::size_t i = 0; i < fds.size(); ++i) {
            Worker& w = p.workers[owners[i]];
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                if (!p.read_results(w)) {
                    retire(w, true);
                    p.fail_worker(w, reap(w));
                    continue;
                }
                w.last_heard = now;
                continue;
            }
            // No result yet: a worker that started another run since is not silent.
            const std::uint64_t started = w.shared->started.load(std::memory_order_acquire);
            if (started != w.seen_started) {
                w.seen_started = started;
                w.last_heard = now;
            } else if (now - w.last_heard > p.options.run_timeout) {
                retire(w, true);
                reap(w);
                p.fail_worker(w, std::nullopt);
            }
        }
        deliver();
        keep_alive();
    }
    deliver();
    p.items = nullptr;
    p.on_result = nullptr;
}

void run_isolated(const std::vector<WorkItem>& items, const IsolationOptions& options,
                  const std::function<void(std::size_t, RunReport&&)>& on_result,
                  const std::function<bool()>& keep_going) {
    std::vector<const scenarios::Scenario*> scenarios;
    for (const WorkItem& item : items)
        if (std::find(scenarios.begin(), scenarios.end(), item.scenario) == scenarios.end())
            scenarios.push_back(item.scenario);
    WorkerPool pool(std::move(scenarios), options);
    pool.run(items, on_result, keep_going);
}

}  // namespace corosim::checker
