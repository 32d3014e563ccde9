// EventLog (sim/include/corosim/trace.hpp): chunked, pooled storage for full traces. What its
// readers rely on: recording order, size() across chunk boundaries, deep copies, moves that leave
// the source empty, and reused chunks that never leak a previous trace's events.
#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "corosim/corosim.hpp"

namespace corosim {
namespace {

Event ev(std::int64_t i) { return Event{i, static_cast<std::uint32_t>(i % 7), EventKind::kStep, i * 3, -i, 0, 0}; }

void expect_sequence(const EventLog& log, std::int64_t n) {
    ASSERT_EQ(log.size(), static_cast<std::size_t>(n));
    EXPECT_EQ(log.empty(), n == 0);
    std::int64_t i = 0;
    for (const Event& e : log) {
        ASSERT_EQ(e.vtime, i);
        ASSERT_EQ(e.a, i * 3);
        ASSERT_EQ(e.b, -i);
        ++i;
    }
    EXPECT_EQ(i, n);
    if (n > 0) {
        EXPECT_EQ(log[static_cast<std::size_t>(n - 1)].vtime, n - 1);
    }
}

TEST(EventLog, KeepsOrderAndSizeAcrossChunkBoundaries) {
    const auto chunk = static_cast<std::int64_t>(EventLog::kChunk);
    for (const std::int64_t n : {std::int64_t{0}, std::int64_t{1}, chunk - 1, chunk, chunk + 1, 3 * chunk + 5}) {
        EventLog log;
        for (std::int64_t i = 0; i < n; ++i) log.push_back(ev(i));
        expect_sequence(log, n);
    }
}

TEST(EventLog, CopiesAreDeepAndMovesEmptyTheSource) {
    const auto n = static_cast<std::int64_t>(EventLog::kChunk) * 2 + 17;
    EventLog log;
    for (std::int64_t i = 0; i < n; ++i) log.push_back(ev(i));
    EventLog copy = log;
    copy.push_back(ev(n));
    expect_sequence(log, n);
    expect_sequence(copy, n + 1);
    EventLog moved = std::move(copy);
    expect_sequence(moved, n + 1);
    expect_sequence(copy, 0);  // NOLINT(bugprone-use-after-move): a moved-from log is empty
    copy.push_back(ev(0));     // and usable
    expect_sequence(copy, 1);
    moved = log;
    expect_sequence(moved, n);
}

TEST(EventLog, ReusedChunksStartEmpty) {
    for (int round = 0; round < 3; ++round) {
        EventLog log;
        const std::int64_t n = round == 1 ? 5 : static_cast<std::int64_t>(EventLog::kChunk) + 3;
        for (std::int64_t i = 0; i < n; ++i) log.push_back(ev(i));
        expect_sequence(log, n);
    }
}

Coro<void> many_steps() {
    for (int i = 0; i < 5000; ++i) co_await sleep(0);
}

TEST(EventLog, AFullTraceKeepsEveryEventTheHashCovers) {
    LoopOptions o;
    o.trace_level = TraceLevel::kFull;
    const RunResult full = run(&many_steps, o);
    o.trace_level = TraceLevel::kOff;
    const RunResult off = run(&many_steps, o);
    EXPECT_GT(full.trace.events().size(), EventLog::kChunk);  // several chunks
    EXPECT_EQ(full.trace.events().size(), full.trace.count());
    EXPECT_EQ(full.trace.hash(), off.trace.hash());
    EXPECT_TRUE(off.trace.events().empty());
}

}  // namespace
}  // namespace corosim
