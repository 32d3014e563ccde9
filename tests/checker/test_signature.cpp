#include <gtest/gtest.h>

#include "corosim/checker/hint.hpp"
#include "corosim/checker/signature.hpp"

namespace corosim::checker {
namespace {

// The hint line (issue 14): derived from outcome and message, for the crashes and errors a
// dangling coroutine capture or reference typically ends in, and for nothing else.
TEST(Hint, DanglingLooking) {
    const std::string segv = "crashed with signal 11 (Segmentation fault) in f()\n  #0 f (a.cpp:1)";
    EXPECT_NE(failure_hint("crash", segv).find("#a-capturing-coroutine-lambda"), std::string::npos);
    EXPECT_NE(failure_hint("crash", "crashed with signal 7 (Bus error)").find("hint: "), std::string::npos);
    EXPECT_EQ(failure_hint("crash", "crashed with signal 6 (Aborted)"), "");
    EXPECT_EQ(failure_hint("crash", "crashed with signal 1 (Hangup)"), "");
    for (const char* m : {"exception escaped main: CppException('std::bad_alloc')",
                          "CppException('basic_string::_M_create')",
                          "CppException('cannot create std::vector larger than max_size()')"}) {
        EXPECT_NE(failure_hint("error", m).find("#a-const-stdstring"), std::string::npos) << m;
    }
    EXPECT_EQ(failure_hint("error", "ValueError('std::bad_alloc')"), "");  // a Python exception's text
    EXPECT_EQ(failure_hint("fail", "check failed: CppException('std::bad_alloc')"), "");
    EXPECT_EQ(failure_hint("oom", "out of memory: an allocation failed under --max-memory 256M"), "");
    // Only the headline counts: a frame named like a signal does not make a hint.
    EXPECT_EQ(failure_hint("crash", "crashed with signal 6 (Aborted)\n  #0 signal 11 "), "");
}

TEST(Signature, RunSpecificIdsAndCountsAreRemoved) {
    EXPECT_EQ(normalize_message("deadlock: main waits on future#6, Task-3 waits on future#3"),
              "deadlock: main waits on future#N, Task-N waits on future#N");
    EXPECT_EQ(normalize_message("livelock: budget exhausted after 5000001 steps"),
              "livelock: budget exhausted after N steps");
    EXPECT_EQ(normalize_message("<Timeout [expired] when=1.5> at 0x7ffd1234abcd"), "<Timeout [expired] when=N.N> at 0xN");
}

TEST(Signature, TextWithoutNumbersIsKept) {
    EXPECT_EQ(normalize_message("check failed: lock released twice"), "check failed: lock released twice");
}

TEST(Signature, WhatCameAfterAFailedCheckIsNotPartOfIt) {
    EXPECT_EQ(failure_signature("fail", "check failed: x; later: deadlock: Task-3 waits"),
              failure_signature("fail", "check failed: x; later: exception escaped main: ValueError('y')"));
}

// A history check names its invariant, then the operations of this run's history: runs with
// histories of different lengths broke one invariant (planted_kv_stale_read reported 54
// failures as 10 distinct bugs, and the shrinker refused every quieter run as "another bug").
TEST(Signature, AChecksDetailsAfterItsNameAreNotPartOfIt) {
    EXPECT_EQ(failure_signature("fail", "check failed: the register is linearizable: no linearization; the longest "
                                        "explains: c1 write(1) [0ms, 8ms]; c2 read()->1 [15ms, 19ms]"),
              failure_signature("fail", "check failed: the register is linearizable: no linearization; the longest "
                                        "explains: c1 write(1) [0ms, ?]; then the register holds 1"));
    EXPECT_EQ(failure_signature("fail", "check failed: the register is linearizable: no linearization"),
              "fail: check failed: the register is linearizable");
    EXPECT_NE(failure_signature("fail", "check failed: the register is linearizable: no linearization"),
              failure_signature("fail", "check failed: the map is linearizable: no linearization"));
    // Only a check's message is cut: other outcomes keep their whole headline.
    EXPECT_NE(failure_signature("error", "exception escaped main: ValueError('a')"),
              failure_signature("error", "exception escaped main: KeyError('a')"));
}

TEST(Signature, SameBugDifferentRunsAgreeDifferentBugsDiffer) {
    EXPECT_EQ(failure_signature("deadlock", "Task-3 waits on future#9"),
              failure_signature("deadlock", "Task-7 waits on future#2"));
    EXPECT_NE(failure_signature("deadlock", "Task-3 waits on future#9"),
              failure_signature("error", "Task-3 waits on future#9"));
    EXPECT_NE(failure_signature("fail", "check failed: a"), failure_signature("fail", "check failed: b"));
}

TEST(Signature, ACrashIsItsHeadlineNotItsFrames) {
    const std::string one = "crashed with signal 6 (Aborted) in pool::give_back (pool.cpp:40)\n  #0 abort\n  #1 pool::give_back (pool.cpp:40)";
    const std::string two = "crashed with signal 6 (Aborted) in pool::give_back (pool.cpp:40)\n  #0 abort\n  #1 pool::give_back (pool.cpp:40)\n  #2 pool::worker (pool.cpp:77)";
    EXPECT_EQ(failure_signature("crash", one), failure_signature("crash", two));
    EXPECT_EQ(failure_signature("crash", one), "crash: crashed with signal N (Aborted) in pool::give_back (pool.cpp:N)");
    EXPECT_NE(failure_signature("crash", one),
              failure_signature("crash", "crashed with signal 6 (Aborted) in pool::take (pool.cpp:20)\n  #0 abort"));
    EXPECT_EQ(message_backtrace(two), "  #0 abort\n  #1 pool::give_back (pool.cpp:40)\n  #2 pool::worker (pool.cpp:77)");
    EXPECT_EQ(message_backtrace("check failed: a\nb"), "");
    EXPECT_EQ(message_headline("check failed: a\nb"), "check failed: a\nb");
    const std::string repeated = "crashed with signal 11 (Segmentation fault) in f\n  #0-#62 f";
    EXPECT_EQ(message_headline(repeated), "crashed with signal 11 (Segmentation fault) in f");
}

}  // namespace
}  // namespace corosim::checker
