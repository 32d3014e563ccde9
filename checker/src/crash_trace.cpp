#include "crash_trace.hpp"

#include <dlfcn.h>
#include <sys/wait.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <vector>

#define BOOST_STACKTRACE_LINK
#include <boost/stacktrace/frame.hpp>
#include <boost/stacktrace/safe_dump_to.hpp>

#include "process.hpp"

namespace corosim::checker::detail {
namespace {

CrashFrames* g_slot = nullptr;
constexpr std::array kSignals{SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
// The handler's own stack: a stack overflow leaves none to run it on.
alignas(16) char g_alt_stack[64 * 1024];

extern "C" void on_crash(int sig) {
    if (g_slot != nullptr && g_slot->count.load(std::memory_order_relaxed) == 0) {
        // Skip this handler and the kernel's signal trampoline: frame 0 is where it crashed.
        const std::size_t n = boost::stacktrace::safe_dump_to(2, g_slot->frames, sizeof g_slot->frames);
        g_slot->count.store(static_cast<std::uint32_t>(n), std::memory_order_release);
    }
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

// The module (executable or shared library) an address belongs to, and its load address.
struct Module {
    std::string path;
    std::uintptr_t base = 0;
};
Module module_of(const void* address) {
    Dl_info info{};
    if (::dladdr(address, &info) == 0 || info.dli_fname == nullptr) return {};
    return {info.dli_fname, reinterpret_cast<std::uintptr_t>(info.dli_fbase)};
}

std::string basename_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Where a run starts: the frames below the loop's entry are the harness that started the run
// (the worker loop, a replay, a shrink), which differ between processes that run the same
// failure. Without a loop frame (a crash outside a run), the harness begins at its namespace.
bool is_run_entry(const std::string& name) {
    return name == "corosim::run" || name == "corosim::Loop::run_until_complete" || name == "corosim::Loop::run_forever";
}
bool is_harness(const std::string& name) {
    return name.starts_with("corosim::checker::") || name == "main" || name.starts_with("__libc_start");
}

// A demangled name as a reader wants it: without `(anonymous namespace)::`, the parameter
// list (so a GCC coroutine's actor `f(f(int)::Frame*)` reads `f`) or a clone suffix.
std::string display_name(std::string name) {
    for (std::size_t at; (at = name.find("(anonymous namespace)::")) != std::string::npos;) name.erase(at, 23);
    for (const char* suffix : {" [clone ", " (.resume)", " (.destroy)", " (.cleanup)"}) {
        if (const std::size_t at = name.find(suffix); at != std::string::npos) name.erase(at);
    }
    for (const char* qualifier : {" const", " &&", " &"}) {
        if (name.ends_with(qualifier)) name.erase(name.size() - std::strlen(qualifier));
    }
    if (name.ends_with(')')) {
        int depth = 0;
        for (std::size_t i = name.size(); i-- > 0;) {
            if (name[i] == ')') ++depth;
            if (name[i] == '(' && --depth == 0) {
                if (i > 0) name.erase(i);  // `(anonymous namespace)` alone is left as it is
                break;
            }
        }
    }
    return name;
}

struct Frame {
    std::string name;  // the function, or module+offset without symbols
    std::string file;  // the source file, when the binary has line tables
    std::size_t line = 0;
    bool ours = false;  // in the same module as this code (the user's binary), not libc & co
};

Frame describe(const void* address, const std::string& self) {
    const boost::stacktrace::frame f(address);
    Frame out;
    out.name = display_name(f.name());
    out.file = f.source_file();
    out.line = f.source_line();
    const Module m = module_of(address);
    out.ours = !m.path.empty() && m.path == self;
    if (out.name.empty()) {
        // An address would differ between processes (ASLR); an offset into its module does not.
        char hex[32];
        std::snprintf(hex, sizeof hex, "+0x%zx", static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(address) - m.base));
        out.name = (m.path.empty() ? std::string("??") : basename_of(m.path)) + hex;
    }
    constexpr std::size_t kLongest = 160;
    if (out.name.size() > kLongest) out.name = out.name.substr(0, kLongest - 3) + "...";
    return out;
}

std::string where(const Frame& f) {
    if (f.file.empty()) return f.name;
    return f.name + " (" + basename_of(f.file) + ":" + std::to_string(f.line) + ")";
}

}  // namespace

void record_crashes_into(CrashFrames* slot) {
    g_slot = slot;
    // The first unwind loads what it needs (libgcc_s); do it now, not inside the handler.
    void* warm[4];
    (void)boost::stacktrace::safe_dump_to(warm, sizeof warm);
    stack_t alt{};
    alt.ss_sp = g_alt_stack;
    alt.ss_size = sizeof g_alt_stack;
    ::sigaltstack(&alt, nullptr);
    struct sigaction action {};
    action.sa_handler = on_crash;
    action.sa_flags = SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    for (const int sig : kSignals) ::sigaction(sig, &action, nullptr);
}

std::string crash_text(int status, const CrashFrames* slot) {
    std::string head = signal_text(status);
    const std::uint32_t n = slot == nullptr ? 0 : slot->count.load(std::memory_order_acquire);
    if (n == 0 || !WIFSIGNALED(status)) return head;
    const std::string self = module_of(reinterpret_cast<const void*>(&crash_text)).path;
    std::vector<Frame> frames;
    for (std::uint32_t i = 0; i < n && i < CrashFrames::kMax && slot->frames[i] != nullptr; ++i) {
        // Above the frame the signal interrupted, each address is a return address: the call is
        // the byte before it (after a call to a noreturn function, the return address is
        // already the next function's).
        const char* pc = static_cast<const char*>(slot->frames[i]);
        frames.push_back(describe(i == 0 ? pc : pc - 1, self));
    }
    std::size_t keep = frames.size();
    for (std::size_t i = frames.size(); i-- > 0;) {
        if (is_run_entry(frames[i].name)) {
            keep = i + 1;
            break;
        }
    }
    if (keep == frames.size()) {
        keep = 0;
        while (keep < frames.size() && !is_harness(frames[keep].name)) ++keep;
    }
    frames.resize(keep);
    // The headline names the innermost frame of the program itself, past abort(), raise() and
    // the C++ runtime: where a user looks first, and what tells two crashes apart.
    for (const Frame& f : frames) {
        if (f.ours) {
            head += " in " + where(f);
            break;
        }
    }
    // A run of the same frame (a recursion, a stack overflow) is one line: `#3-#63 f (file:line)`.
    std::string out = head;
    for (std::size_t i = 0; i < frames.size();) {
        std::size_t j = i + 1;
        while (j < frames.size() && where(frames[j]) == where(frames[i])) ++j;
        out += "\n  #" + std::to_string(i);
        if (j > i + 1) out += "-#" + std::to_string(j - 1);
        out += " " + where(frames[i]);
        i = j;
    }
    return out;
}

}  // namespace corosim::checker::detail
