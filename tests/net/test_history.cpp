// Linearizability checks over recorded histories (net/history.hpp): a register, and a key-value
// map checked key by key. Hand-built histories whose verdict is known: the checker must find a
// linearization when there is one and name the operations that cannot come next when there is
// none.
#include <gtest/gtest.h>

#include <string>

#include "corosim/net/history.hpp"

namespace corosim::net {
namespace {

Nanos ms(std::int64_t v) { return v * 1'000'000; }

void put(History& h, int client, const std::string& key, std::int64_t v, std::int64_t from, std::int64_t to) {
    h.complete(h.invoke(client, key, true, v, ms(from)), ms(to));
}
void get(History& h, int client, const std::string& key, std::int64_t seen, std::int64_t from, std::int64_t to) {
    h.complete(h.invoke(client, key, false, 0, ms(from)), ms(to), seen);
}

TEST(CheckKv, OverlappingOperationsOnTwoKeysLinearize) {
    History h;
    put(h, 1, "x", 1, 0, 10);
    put(h, 2, "y", 7, 2, 4);
    get(h, 3, "x", 1, 5, 6);   // overlaps the put of x: may see it
    get(h, 3, "y", 7, 6, 8);
    put(h, 1, "x", 2, 11, 12);
    get(h, 2, "x", 2, 13, 14);
    get(h, 2, "y", 7, 15, 16);
    const LinearizabilityResult r = check_kv(h, 0);
    EXPECT_TRUE(r.ok) << r.explanation;
}

TEST(CheckKv, AStaleGetIsReportedWithItsKeyAndOperations) {
    History h;
    put(h, 1, "y", 5, 0, 2);
    put(h, 1, "x", 1, 0, 2);
    put(h, 1, "x", 2, 3, 5);
    get(h, 2, "y", 5, 6, 7);
    get(h, 2, "x", 1, 6, 8);  // x was 2 since 5ms: stale
    const LinearizabilityResult r = check_kv(h, 0);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.explanation,
              "key x: no linearization; the longest explains: c1 put(x, 1) [0ms, 2ms]; c1 put(x, 2) [3ms, 5ms]; "
              "then the key holds 2 and none of these can come next: c2 get(x)->1 [6ms, 8ms];");
}

TEST(CheckKv, KeysAreIndependent) {
    // Each value was written to the other key: per key, the reads see a value never written.
    History h;
    put(h, 1, "x", 1, 0, 1);
    put(h, 1, "y", 2, 0, 1);
    get(h, 2, "x", 2, 2, 3);
    const LinearizabilityResult r = check_kv(h, 0);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.explanation.rfind("key x: no linearization", 0), 0u) << r.explanation;
}

TEST(CheckKv, AnUnknownPutMayLandLateOrNever) {
    History h;
    h.invoke(1, "x", true, 1, ms(0));  // timed out: outcome unknown
    get(h, 2, "x", 0, 10, 11);
    get(h, 2, "x", 1, 20, 21);  // it landed in between
    EXPECT_TRUE(check_kv(h, 0).ok);
    get(h, 2, "x", 0, 30, 31);  // and cannot be undone
    EXPECT_FALSE(check_kv(h, 0).ok);
}

TEST(CheckKv, DroppedOperationsAndUnknownGetsConstrainNothing) {
    History h;
    const std::size_t refused = h.invoke(1, "x", true, 9, ms(0));
    h.drop(refused);
    h.invoke(2, "x", false, 0, ms(1));  // never answered
    get(h, 2, "x", 0, 5, 6);
    EXPECT_TRUE(check_kv(h, 0).ok);
}

TEST(CheckRegister, StillDescribesRegisterOperations) {
    History h;
    h.complete(h.invoke(1, true, 3, ms(0)), ms(1));
    h.complete(h.invoke(2, false, 0, ms(2)), ms(3), 0);
    const LinearizabilityResult r = check_register(h, 0);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.explanation,
              "no linearization; the longest explains: c1 write(3) [0ms, 1ms]; then the register holds 3 and none "
              "of these can come next: c2 read()->0 [2ms, 3ms];");
}

}  // namespace
}  // namespace corosim::net
