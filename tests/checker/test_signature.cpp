#include <gtest/gtest.h>

#include "corosim/checker/signature.hpp"

namespace corosim::checker {
namespace {

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

TEST(Signature, SameBugDifferentRunsAgreeDifferentBugsDiffer) {
    EXPECT_EQ(failure_signature("deadlock", "Task-3 waits on future#9"),
              failure_signature("deadlock", "Task-7 waits on future#2"));
    EXPECT_NE(failure_signature("deadlock", "Task-3 waits on future#9"),
              failure_signature("error", "Task-3 waits on future#9"));
    EXPECT_NE(failure_signature("fail", "check failed: a"), failure_signature("fail", "check failed: b"));
}

}  // namespace
}  // namespace corosim::checker
