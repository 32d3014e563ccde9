// The SQLite store and replay (DESIGN 5).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "corosim/checker/campaign.hpp"
#include "corosim/checker/replay.hpp"
#include "corosim/checker/store.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::checker {
namespace {

class TempDb {
public:
    TempDb() {
        char tmpl[] = "/tmp/corosim-test-XXXXXX";
        const int fd = mkstemp(tmpl);
        ::close(fd);
        path_ = tmpl;
        std::remove(path_.c_str());
    }
    ~TempDb() {
        for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

RC_GTEST_PROP(Choices, EncodingRoundTrips, (std::vector<std::uint32_t> choices)) {
    RC_ASSERT(decode_choices(encode_choices(choices)) == choices);
}

TEST(Choices, ASequenceThatIsNot32BitChoicesIsRefused) {
    EXPECT_EQ(decode_choices(std::string("\xff\xff\xff\xff\x0f", 5)), std::vector<std::uint32_t>{0xffffffffu});
    // A fifth byte above 0x0f would need bits a choice does not have; a sixth byte more still.
    EXPECT_THROW(decode_choices(std::string("\xff\xff\xff\xff\x10", 5)), StoreError);
    EXPECT_THROW(decode_choices(std::string("\x80\x80\x80\x80\x80\x00", 6)), StoreError);
    EXPECT_THROW(decode_choices(std::string("\x81", 1)), StoreError);
}

TEST(Store, RunsAndEventsRoundTripAndReplayReproduces) {
    TempDb db;
    const auto& reg = scenarios::builtin_registry();
    const auto& s = *reg.find("racy_counter");
    RunSpec spec = default_spec(s, "random", 11);
    spec.level = TraceLevel::kFull;
    const RunResult r = run_spec(s, spec);
    std::int64_t id = 0;
    {
        Store store(db.path());
        const auto campaign = store.begin_campaign("test");
        store.begin();
        id = store.add_run(campaign, spec, r, true);
        store.commit();
    }
    Store store(db.path(), false);
    const auto stored = store.run(id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->spec.params, spec.params);
    EXPECT_EQ(stored->spec.choices, r.choices);
    EXPECT_EQ(stored->trace_hash, hash_hex(r.trace_hash));
    const auto events = store.events(id);
    EXPECT_EQ(events, stored_events(r.trace));
    const ReplayReport rep = replay(s, *stored, events);
    EXPECT_TRUE(rep.reproduced);
    EXPECT_TRUE(rep.compared_events);
}

TEST(Store, APythonVersionIsPartOfTheStoredRunAndItsReplay) {
    TempDb db;
    const auto& s = *scenarios::builtin_registry().find("wait_for");
    RunSpec spec = default_spec(s, "fifo", 0);
    spec.level = TraceLevel::kFull;
    spec.python = PythonVersion::k3_11;  // wait_for runs each coroutine in its own task
    const RunResult r = run_spec(s, spec);
    ASSERT_EQ(r.outcome, Outcome::kPass) << r.message;
    std::int64_t id = 0;
    {
        Store store(db.path());
        const auto campaign = store.begin_campaign("test");
        store.begin();
        id = store.add_run(campaign, spec, r, true);
        store.commit();
    }
    Store store(db.path(), Store::kReadOnly);
    auto stored = store.run(id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->spec.python, PythonVersion::k3_11);
    const auto events = store.events(id);
    EXPECT_TRUE(replay(s, *stored, events).reproduced);
    // The same run as 3.12 is another run: its trace differs.
    stored->spec.python = PythonVersion::k3_12;
    EXPECT_FALSE(replay(s, *stored, events).reproduced);
}

TEST(Store, ReplayReportsTheFirstDivergence) {
    TempDb db;
    const auto& s = *scenarios::builtin_registry().find("racy_counter");
    RunSpec spec = default_spec(s, "random", 3);
    spec.level = TraceLevel::kFull;
    const RunResult r = run_spec(s, spec);
    Store store(db.path());
    store.begin();
    const auto id = store.add_run(store.begin_campaign("t"), spec, r, true);
    store.commit();
    auto stored = *store.run(id);
    auto events = store.events(id);
    events[5].text = "tampered";
    const ReplayReport rep = replay(s, stored, events);
    EXPECT_FALSE(rep.reproduced);
    ASSERT_TRUE(rep.divergence);
    EXPECT_EQ(*rep.divergence, 5u);
}

TEST(Store, RejectsAFileThatIsNotAStore) {
    TempDb db;
    std::ofstream(db.path()) << "this is not sqlite";
    EXPECT_THROW(Store(db.path(), false), StoreError);
}

TEST(Store, CampaignStoresFailuresWithEventsAndEveryRun) {
    TempDb db;
    Store store(db.path());
    CampaignOptions opt;
    opt.scenarios = {scenarios::builtin_registry().find("sleep_sort")};
    opt.runs = 12;
    const CampaignResult res = run_campaign(store, "test", opt);
    EXPECT_EQ(res.runs, 12u);
    EXPECT_TRUE(res.failures.empty());
    EXPECT_EQ(store.run_ids().size(), 12u);
    const auto sum = store.summary(res.campaign_id);
    ASSERT_EQ(sum.size(), 1u);
    EXPECT_EQ(sum[0].runs, 12);
    // pct:D learns its horizon from pilot runs and stores it in the spec (pct:D:H).
    EXPECT_TRUE(sum[0].policies.starts_with("fifo,pct:2:")) << sum[0].policies;
    EXPECT_NE(sum[0].policies.find(",pct:3:"), std::string::npos) << sum[0].policies;
    EXPECT_TRUE(sum[0].policies.ends_with(",random,random+jitter+buggify")) << sum[0].policies;
}

}  // namespace
}  // namespace corosim::checker
